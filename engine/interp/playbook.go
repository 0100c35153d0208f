package interp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"
)

// evidence records the conditions route evaluated at a playbook node.
func (it *interp) evidence(s *engine.PlanStep, results []bool, env map[string]any) {
	if len(s.Branch) == 0 { // a plain goto decides nothing
		return
	}
	for i, ok := range results {
		e := s.Branch[i].When
		it.out.Evidence = append(it.out.Evidence, &engine.Evidence{Node: s.Name, Condition: e.Src, Result: ok, Values: readValues(e, env, it)})
	}
	if taken := len(results) > 0 && results[len(results)-1]; !taken && s.Default != "" {
		it.out.Evidence = append(it.out.Evidence, &engine.Evidence{Node: s.Name, Condition: "default", Result: true})
	}
}

// readValues evaluates the references an expression reads (the longest
// member chains from its roots), so a finding shows what decided it.
//
//workflowcheck:ignore
func readValues(e *engine.Expr, env map[string]any, it *interp) map[string]any {
	out := map[string]any{}
	for _, c := range engine.Reads(e.Src) {
		covered := false
		for k := range out {
			covered = covered || strings.HasPrefix(k, c)
		}
		if covered {
			continue
		}
		if v, err := engine.Eval(&engine.Expr{Src: c}, env, it.now); err == nil {
			out[c] = v
		}
	}
	return out
}

// conclude records a playbook's finding and its recommendation, launching
// the recommended runbook when auto: as a child that outlives the
// playbook (abandoned), started by the playbook's requester, who may not
// approve it.
func (it *interp) conclude(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any) error {
	text, err := it.text(s.Arg("finding"), env)
	if err != nil {
		return err
	}
	text = it.hide(text)
	f := &engine.Finding{Node: rec.Name, Finding: text, Severity: s.Arg("severity").Str, Evidence: it.out.Evidence}
	it.out.Evidence = nil
	rec.Message, it.out.Message, it.out.Finding = text, text, f
	r := s.Arg("recommend")
	if r == nil || s.Child == nil {
		return errEnd
	}
	rc := &engine.Recommendation{Run: s.Child.Name + "@" + s.Child.Version}
	f.Recommend = rc
	given, err := it.resolve(r.Field("params"), env)
	if err != nil {
		return err
	}
	gm, _ := given.(map[string]any)
	params, perr := engine.CheckParams(s.Child, gm)
	rc.Params, rc.Command = gm, it.hide(launchCommand(rc.Run, gm))
	if a := r.Field("auto"); a != nil && a.Bool {
		rc.Auto = true
		if perr != nil {
			rc.Error = perr.Error()
			return errEnd
		}
		id := it.exec["id"].(string)
		in := engine.Input{Plan: s.Child, Params: params, StartedBy: it.in.StartedBy, Trigger: "recommend", Parent: id, Alarm: it.in.Alarm, Seal: it.secrets.Known(), Secrets: it.secretsIn(params)}
		rc.Execution = id + "/" + rec.Name
		opts := workflow.ChildWorkflowOptions{
			WorkflowID: rc.Execution, TaskQueue: it.queue(s.Child), ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
			StaticSummary:         fmt.Sprintf("%s recommended by %s (node %s)", rc.Run, id, rec.Name),
			TypedSearchAttributes: searchAttributes(in),
		}
		child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), engine.WorkflowName, in)
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			rc.Error, rc.Execution = asStepError(err).Message, ""
		}
	}
	return errEnd
}

// launchCommand is the command line that runs a recommendation.
//
//workflowcheck:ignore
func launchCommand(run string, params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("runbook run " + run)
	for _, k := range keys {
		v := params[k]
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
			if raw, err := json.Marshal(v); err == nil {
				s = string(raw)
			}
		}
		b.WriteString(" -p " + shellQuote(k+"="+s))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
