package casetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

var (
	recordStatuses = []string{engine.StatusSucceeded, engine.StatusFailed, engine.StatusSkipped, engine.StatusCancelled, engine.StatusTimedOut, engine.StatusWaiting}
	severities     = []string{"info", "low", "medium", "high", "critical"}
)

// expect checks that an expectation names what exists: steps, outputs,
// conclude nodes.
func (tc *testCheck) expect(e *Expect) {
	var own []string
	for name := range tc.own {
		own = append(own, name)
	}
	slices.Sort(own)
	step := func(id engine.Ident, what string) {
		if id.Name != "" && tc.own[recordBase(id.Name)] == nil {
			tc.ds.Errorf(id.Pos, "%s: %s has no step %q", what, tc.plan.Name, id.Name).Hint = engine.DidYouMean(id.Name, own)
		}
	}
	step(e.Failed, "expect.failed")
	for _, id := range e.Path {
		step(id, "expect.path")
	}
	for _, en := range e.Steps {
		step(engine.Ident{Name: en.Key, Pos: en.KeyPos}, "expect.steps")
		if s, _ := testData(en.Value).(string); !slices.Contains(recordStatuses, s) {
			tc.ds.Errorf(en.Value.Pos, "a step's status is one of %s", strings.Join(recordStatuses, ", ")).Hint = engine.DidYouMean(s, recordStatuses)
		}
	}
	if e.Outputs != nil {
		var names []string
		for _, o := range tc.plan.Outputs {
			names = append(names, o.Name)
		}
		for _, en := range e.Outputs.Map {
			o := planOutput(tc.plan.Outputs, en.Key)
			if o == nil {
				tc.ds.Errorf(en.KeyPos, "%s has no output %q", tc.plan.Name, en.Key).Hint =
					cmp.Or(engine.DidYouMean(en.Key, names), "its outputs: "+cmp.Or(strings.Join(names, ", "), "none"))
				continue
			}
			engine.CheckData(en.Value, o.Type, "expect.outputs."+en.Key, &tc.ds, nil)
		}
	}
	if e.Finding != nil {
		tc.expectFinding(e.Finding)
	}
}

func (tc *testCheck) expectFinding(f *engine.Value) {
	if tc.plan.Kind != engine.KindPlaybook {
		tc.ds.Errorf(f.Pos, "expect.finding: %s is a %s; only playbooks conclude with a finding", tc.plan.Name, tc.plan.Kind)
		return
	}
	var nodes []string
	for name, s := range tc.own {
		if k := tc.opts.Kinds.Lookup(s.Kind); k != nil && k.Ends == engine.EndConcluded {
			nodes = append(nodes, name)
		}
	}
	slices.Sort(nodes)
	if n := f.Field("node"); n != nil && !slices.Contains(nodes, n.Str) {
		tc.ds.Errorf(n.Pos, "expect.finding.node: %q is no conclude node of %s", n.Str, tc.plan.Name).Hint =
			cmp.Or(engine.DidYouMean(n.Str, nodes), "conclude nodes: "+strings.Join(nodes, ", "))
	}
	if s := f.Field("severity"); s != nil && !slices.Contains(severities, s.Str) {
		tc.ds.Errorf(s.Pos, "expect.finding.severity is one of %s, not %q", strings.Join(severities, ", "), s.Str)
	}
}

// compare lists how the outcome differs from what the case expects.
func (e *Expect) compare(out *engine.Outcome) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if out.Status != e.Status.Name {
		add("status: got %s, want %s", describeOutcome(out), e.Status.Name)
	}
	if e.Failed.Name != "" && out.Failed != e.Failed.Name {
		add("failed: got step %q, want %q", out.Failed, e.Failed.Name)
	}
	errType, errMsg := "", ""
	if out.Error != nil {
		errType, errMsg = out.Error.Type, out.Error.Message
	}
	if e.Error.Name != "" && errType != e.Error.Name {
		add("error: got %q (%s), want %q", errType, errMsg, e.Error.Name)
	}
	if m := e.Message.Name; m != "" && !strings.Contains(errMsg, m) && !strings.Contains(out.Message, m) {
		add("message: got %q, want it to contain %q", firstOf(errMsg, out.Message), m)
	}
	if e.HasPath {
		var want []string
		for _, id := range e.Path {
			want = append(want, id.Name)
		}
		if got := outcomePath(out); !slices.Equal(got, want) {
			add("path: got [%s], want [%s]", strings.Join(got, ", "), strings.Join(want, ", "))
		}
	}
	for _, en := range e.Steps {
		want, _ := testData(en.Value).(string)
		got := "not run"
		for _, r := range out.Steps {
			if r.Name == en.Key {
				got = r.Status
			}
		}
		if got != want {
			add("step %s: got %s, want %s", en.Key, got, want)
		}
	}
	if e.Outputs != nil {
		for _, en := range e.Outputs.Map {
			want, got := testData(en.Value), out.Outputs[en.Key]
			if !sameData(got, want) {
				add("output %s: got %s, want %s", en.Key, jsonText(got), jsonText(want))
			}
		}
	}
	if e.Finding != nil {
		problems = append(problems, compareFinding(e.Finding, out.Finding)...)
	}
	return problems
}

func compareFinding(want *engine.Value, f *engine.Finding) []string {
	if f == nil {
		return []string{"finding: got none, want one"}
	}
	var problems []string
	rec := ""
	if f.Recommend != nil {
		rec = f.Recommend.Run
	}
	for _, en := range want.Map {
		w, _ := testData(en.Value).(string)
		var got string
		switch en.Key {
		case "node":
			got = f.Node
		case "severity":
			got = f.Severity
		case "recommend":
			got = rec
		case "finding":
			if !strings.Contains(f.Finding, w) {
				problems = append(problems, fmt.Sprintf("finding: got %q, want it to contain %q", f.Finding, w))
			}
			continue
		}
		if got != w {
			problems = append(problems, fmt.Sprintf("finding.%s: got %q, want %q", en.Key, got, w))
		}
	}
	return problems
}

// describeOutcome is an outcome's status with the failed step and error.
func describeOutcome(out *engine.Outcome) string {
	s := out.Status
	if out.Failed != "" {
		s += " at step " + out.Failed
	}
	if out.Error != nil {
		s += " (" + out.Error.Type + ": " + out.Error.Message + ")"
	}
	return s
}

// outcomePath lists the top-level steps that ran, in order: records
// neither skipped nor inside a forEach.
func outcomePath(out *engine.Outcome) []string {
	path := []string{}
	for _, r := range out.Steps {
		if r.Status != engine.StatusSkipped && !strings.Contains(r.Name, ".") {
			path = append(path, r.Name)
		}
	}
	return path
}

// sameData compares data as JSON sees it (1 and 1.0 are equal).
func sameData(a, b any) bool {
	return reflect.DeepEqual(jsonData(a), jsonData(b))
}

func jsonData(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
