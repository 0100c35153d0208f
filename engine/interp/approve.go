package interp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/workflow"
)

// defaultApprovalTimeout is an approve step's deadline when it sets none.
const defaultApprovalTimeout = 24 * time.Hour

// wait is a human step waiting for people: an approve step for
// decisions, a manual step to be marked done, an ask step for an answer.
type wait struct {
	rec      *engine.StepRecord
	approved int
	rejected *engine.Decision
	done     *engine.Decision // manual, ask
}

// Auditor records the approval decisions a workflow refused. Temporal
// keeps no trace of an update its validator refuses, and recording
// refusals in the history would let a flood of them grow it to its limit:
// they go here instead, once per delivery (validators do not run on
// replay).
type Auditor interface {
	Refused(Refusal)
}

// Refusal is one refused decision.
type Refusal struct {
	Time      time.Time `json:"time"`
	Execution string    `json:"execution"`
	Runbook   string    `json:"runbook"`
	Decision  string    `json:"decision"` // approve, reject, done, answer
	Step      string    `json:"step,omitempty"`
	Identity  string    `json:"identity"`
	Groups    []string  `json:"groups,omitempty"`
	Reason    string    `json:"reason"`
}

// handleDecisions registers the updates that act on human steps: approve,
// reject, done and answer.
func (it *interp) handleDecisions(ctx workflow.Context) error {
	for _, kind := range []string{engine.UpdateApprove, engine.UpdateReject, engine.UpdateDone, engine.UpdateAnswer} {
		err := workflow.SetUpdateHandlerWithOptions(ctx, kind,
			func(ctx workflow.Context, d engine.Decision) (*engine.Approval, error) {
				return it.decide(ctx, kind, d)
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d engine.Decision) error { return it.validate(ctx, kind, d) }})
		if err != nil {
			return err
		}
	}
	return nil
}

// validate refuses a decision that may not count: for no waiting step, by
// the requester, by someone not listed, or by someone who already decided.
// Refusals are logged and audited.
func (it *interp) validate(ctx workflow.Context, kind string, d engine.Decision) error {
	err := it.admissible(kind, d)
	if err != nil {
		info := workflow.GetInfo(ctx)
		workflow.GetLogger(ctx).Warn("decision refused", "decision", kind, "step", d.Step, "identity", d.Identity, "reason", err.Error())
		if it.audit != nil {
			it.audit.Refused(Refusal{
				Time: workflow.Now(ctx), Execution: info.WorkflowExecution.ID, Runbook: it.in.Plan.Name + "@" + it.in.Plan.Version,
				Decision: kind, Step: d.Step, Identity: d.Identity, Groups: d.Groups, Reason: err.Error(),
			})
		}
	}
	return err
}

// admissible is the validator's verdict: check's, and the request named
// must be the one waiting. Only the validator checks the request:
// histories recorded before decisions named one replay through the
// handler.
func (it *interp) admissible(kind string, d engine.Decision) error {
	w, err := it.check(kind, d)
	switch {
	case err != nil:
		return err
	case d.Request == "":
		return fmt.Errorf("a decision must name the approval request it answers (step %s waits on request %q, shown by `runbook approvals` and GET /v1/approvals)", w.rec.Name, w.rec.Approval.Request)
	case d.Request != w.rec.Approval.Request:
		return fmt.Errorf("this decision names approval request %q, but step %s waits on request %q: what you were shown is not what waits (a new run, a new visit); look again with `runbook approvals`", d.Request, w.rec.Name, w.rec.Approval.Request)
	}
	return nil
}

func (it *interp) check(kind string, d engine.Decision) (*wait, error) {
	w, err := it.waiting(kind, d.Step)
	if err != nil {
		return nil, err
	}
	a := w.rec.Approval
	if a.Kind != "" {
		_, err := it.checkTask(kind, w, d)
		return w, err
	}
	switch {
	case d.Identity == "":
		return nil, fmt.Errorf("a decision needs an identity")
	case it.same(d.Identity, a.Requester):
		return nil, fmt.Errorf("%s started this execution and may not %s it", d.Identity, kind)
	case a.RetriedBy != "" && it.same(d.Identity, a.RetriedBy):
		return nil, fmt.Errorf("%s retried this execution and may not %s it", d.Identity, kind)
	case !Matches(a.Approvers, d.Identity, d.Groups):
		return nil, fmt.Errorf("%s is not among the approvers of step %s (%s)", d.Identity, w.rec.Name, strings.Join(a.Approvers, ", "))
	}
	for _, prev := range a.Decisions {
		if it.same(prev.Identity, d.Identity) {
			return nil, fmt.Errorf("%s already decided step %s (%s at %s)", d.Identity, w.rec.Name, prev.Decision, prev.Time.UTC().Format(time.RFC3339))
		}
	}
	return w, nil
}

// waiting finds the waiting step of the kind the update acts on that a
// decision names; "" names the only one.
func (it *interp) waiting(kind, step string) (*wait, error) {
	want, what := StepKindOf(kind)
	var same []*wait // of the kind the update acts on
	var names []string
	for _, w := range it.waits {
		switch {
		case w.rec.Approval.Kind == want && w.rec.Name == step:
			return w, nil
		case w.rec.Name == step:
			return nil, fmt.Errorf("step %s is %s, not %s: %s", step, describeKind(w.rec.Approval.Kind), describeKind(want), actHint(w.rec.Approval.Kind))
		case w.rec.Approval.Kind == want:
			same, names = append(same, w), append(names, w.rec.Name)
		}
	}
	switch {
	case len(same) == 0 && step == "":
		return nil, fmt.Errorf("no step of this execution is waiting %s", what)
	case len(same) == 0:
		return nil, fmt.Errorf("step %s is not waiting %s; no step is", step, what)
	case step == "" && len(same) == 1:
		return same[0], nil
	case step == "":
		return nil, fmt.Errorf("several steps wait %s (%s): name one", what, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("step %s is not waiting %s; waiting: %s", step, what, strings.Join(names, ", "))
}

// Matches reports whether identity, with its groups, matches one of the
// principals (user:NAME, group:NAME): approvers, starters. Names compare
// through engine.NormalIdentity. Unguarded by GetVersion, on purpose:
// folding only lets more decisions through the validator, and one it
// refused before left nothing in a history to replay.
func Matches(principals []string, identity string, groups []string) bool {
	identity, groups = engine.NormalIdentity(identity), engine.NormalGroups(groups)
	for _, a := range principals {
		kind, name, _ := strings.Cut(a, ":")
		name = engine.NormalIdentity(name)
		if kind == "user" && name == identity || kind == "group" && slices.Contains(groups, name) {
			return true
		}
	}
	return false
}

// decide records an accepted decision.
func (it *interp) decide(ctx workflow.Context, kind string, d engine.Decision) (*engine.Approval, error) {
	w, err := it.check(kind, d)
	if err != nil { // the step stopped waiting since validation
		return nil, err
	}
	d.Step, d.Decision, d.Time = w.rec.Name, kind, workflow.Now(ctx)
	w.rec.Approval.Decisions = append(w.rec.Approval.Decisions, &d)
	switch kind {
	case engine.UpdateDone, engine.UpdateAnswer:
		d.Answer, _ = it.checkTask(kind, w, d)
		w.done = &d
	case engine.UpdateReject:
		w.rejected = &d
	default:
		w.approved++
	}
	return w.rec.Approval, nil
}

// approve waits until enough distinct approvers approve, one rejects, or
// the deadline passes (then the step fails: silence never approves).
func (it *interp) approve(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any) (map[string]any, error) {
	d := defaultApprovalTimeout
	if t := s.Arg("timeout"); t != nil {
		var err error
		if d, err = it.duration(t, env); err != nil {
			return nil, err
		}
	}
	msg, err := it.text(s.Arg("message"), env)
	if err != nil {
		return nil, err
	}
	msg = it.hide(msg)
	a := &engine.Approval{Runbook: it.in.Plan.Name + "@" + it.in.Plan.Version, Since: it.now(), MinApprovals: 1, Message: msg, Requester: it.in.StartedBy, Deadline: it.now().Add(d),
		Digest: it.in.Plan.Digest, Params: it.shownParams()}
	if it.in.RetriedBy != "" && it.version("retrier-not-approver") == 1 {
		a.RetriedBy = it.in.RetriedBy
	}
	a.Request = approvalRequest(workflow.GetInfo(ctx).WorkflowExecution.RunID, rec.Name, a)
	if m := s.Arg("minApprovals"); m != nil {
		a.MinApprovals = int(m.Int)
	}
	for _, v := range s.Arg("approvers").List {
		a.Approvers = append(a.Approvers, v.Str)
	}
	rec.Status, rec.Approval, rec.Message = engine.StatusWaiting, a, msg
	w := &wait{rec: rec}
	it.waits = append(it.waits, w)
	defer func() { it.waits = slices.DeleteFunc(it.waits, func(x *wait) bool { return x == w }) }()
	if n := s.Arg("notify"); n != nil {
		it.notify(ctx, s, rec, n, env)
	}
	ok, err := workflow.AwaitWithTimeout(ctx, a.Deadline.Sub(it.now()), func() bool {
		return w.rejected != nil || w.approved >= a.MinApprovals
	})
	switch {
	case err != nil:
		return nil, err
	case w.rejected != nil:
		reason := w.rejected.Identity
		if w.rejected.Comment != "" {
			reason += ": " + w.rejected.Comment
		}
		return nil, &engine.StepError{Type: "Rejected", Message: "rejected by " + reason}
	case !ok:
		return nil, &engine.StepError{Type: "ApprovalTimedOut", Message: fmt.Sprintf("no decision within %s (%d of %d approvals)", engine.FormatDuration(d), w.approved, a.MinApprovals)}
	}
	return it.outputs(s, env, nil)
}

// approvalRequest identifies a request for approval: the run, the step
// record, when it began waiting, the plan's digest and the params (JSON:
// keys sorted, so the same params give the same text).
//
//workflowcheck:ignore
func approvalRequest(runID, step string, a *engine.Approval) string {
	params, _ := json.Marshal(a.Params)
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s\x00%s", runID, step, a.Since.UnixNano(), a.Digest, params))
	return hex.EncodeToString(sum[:8])
}

// shownParams are the execution's params as an approver sees them:
// secret ones as ***.
//
//workflowcheck:ignore
func (it *interp) shownParams() map[string]any {
	out := make(map[string]any, len(it.params))
	for _, p := range it.in.Plan.Params {
		out[p.Name] = it.params[p.Name]
		if p.Secret {
			out[p.Name] = engine.Redacted
		}
	}
	return out
}

// same reports whether two identities are one: case-folded and trimmed
// (engine.NormalIdentity) since identity-fold, exactly before.
func (it *interp) same(a, b string) bool {
	if it.fold {
		return engine.NormalIdentity(a) == engine.NormalIdentity(b)
	}
	return a == b
}
