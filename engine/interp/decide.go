package interp

import (
	"context"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/client"
)

// Decide sends a decision to execution id and waits until the workflow
// has recorded it: kind is UpdateApprove or UpdateReject for an approve
// step, UpdateDone for a manual step, UpdateAnswer for an ask step. A
// decision the workflow refuses (not listed, the requester of an
// approval, a repeat, no such step waiting, another request than the one
// waiting, an answer that does not fit) returns the refusal as the error;
// the execution is unchanged. A decision that names no request is bound
// to the request waiting now (BindFor): callers that showed a request pass
// the request they showed.
func Decide(ctx context.Context, cl client.Client, id, kind string, d engine.Decision) (*engine.Approval, error) {
	if d.Request == "" {
		// Unbound (none waits, several do, no answer): the workflow's
		// validator gives, and audits, the refusal.
		_, _ = BindFor(ctx, cl, id, kind, &d)
	}
	h, err := cl.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: kind, Args: []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return nil, err
	}
	var a engine.Approval
	if err := h.Get(ctx, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Bind is BindFor an approval.
func Bind(ctx context.Context, cl client.Client, id string, d *engine.Decision) (*engine.Approval, error) {
	return BindFor(ctx, cl, id, engine.UpdateApprove, d)
}

// BindFor sets d.Request (and d.Step, when it names none and one step of
// the kind the update acts on waits) to the request execution id waits
// on now, and returns that step's request; nil when none waits. Several
// waiting steps and no d.Step is an error, and so is a state query that
// fails (ErrUnanswered when no worker answered it).
func BindFor(ctx context.Context, cl client.Client, id, update string, d *engine.Decision) (*engine.Approval, error) {
	out, err := Query(ctx, cl, id)
	if err != nil {
		return nil, err
	}
	s, err := WaitingIn(out, update, d.Step)
	if s == nil || err != nil {
		return nil, err
	}
	d.Step, d.Request = s.Name, s.Approval.Request
	return s.Approval, nil
}

// WaitingIn is the step of out waiting for the update (named step, when
// not ""); nil when none does, an error when several do.
func WaitingIn(out *engine.Outcome, update, step string) (*engine.StepRecord, error) {
	kind, what := StepKindOf(update)
	var found []*engine.StepRecord
	var names []string
	for _, s := range out.Steps {
		if s.Status == engine.StatusWaiting && s.Approval != nil && s.Approval.Kind == kind && (step == "" || s.Name == step) {
			found = append(found, s)
			names = append(names, s.Name)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("several steps wait %s (%s): name one", what, strings.Join(names, ", "))
}
