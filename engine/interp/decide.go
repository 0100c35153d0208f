package interp

import (
	"context"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/client"
)

// Decide sends an approve or reject decision (kind is UpdateApprove or
// UpdateReject) to execution id and waits until the workflow has recorded
// it. A decision the workflow refuses (not listed, the requester, a
// repeat, no such step waiting, another request than the one waiting)
// returns the refusal as the error; the execution is unchanged. A
// decision that names no request is bound to the request waiting now
// (Bind): callers that showed an approval pass the request they showed.
func Decide(ctx context.Context, cl client.Client, id, kind string, d engine.Decision) (*engine.Approval, error) {
	if d.Request == "" {
		// Unbound (none waits, several do, no answer): the workflow's
		// validator gives, and audits, the refusal.
		_, _ = Bind(ctx, cl, id, &d)
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

// Bind sets d.Request (and d.Step, when it names none and one step waits)
// to the request execution id waits on now, and returns that approval;
// nil when none waits. Several waiting steps and no d.Step is an error,
// and so is a state query that fails (ErrUnanswered when no worker
// answered it).
func Bind(ctx context.Context, cl client.Client, id string, d *engine.Decision) (*engine.Approval, error) {
	out, err := Query(ctx, cl, id)
	if err != nil {
		return nil, err
	}
	var found []*engine.StepRecord
	for _, s := range out.Steps {
		if s.Status == engine.StatusWaiting && s.Approval != nil && (d.Step == "" || s.Name == d.Step) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		d.Step, d.Request = found[0].Name, found[0].Approval.Request
		return found[0].Approval, nil
	}
	names := make([]string, len(found))
	for i, s := range found {
		names[i] = s.Name
	}
	return nil, fmt.Errorf("several steps wait for approval (%s): name one", strings.Join(names, ", "))
}
