package interp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// WaitingStep is one human step waiting for people: an approve step for
// decisions, a manual step to be marked done, an ask step for an answer
// (Approval.Kind says which).
type WaitingStep struct {
	ID       string           `json:"id"`
	Runbook  string           `json:"runbook"` // NAME@VERSION
	Step     string           `json:"step"`
	Approval *engine.Approval `json:"approval"`
}

// MayDecide reports whether identity, with its groups, may still act on
// the step: for an approval, listed, not the requester, not decided yet;
// for a manual or ask step, listed (or no list) and not acted on yet.
func (w *WaitingStep) MayDecide(identity string, groups []string) bool {
	a := w.Approval
	if a.Kind != "" {
		return mayAct(a, identity, groups)
	}
	me := engine.NormalIdentity(identity)
	if me == engine.NormalIdentity(a.Requester) || a.RetriedBy != "" && me == engine.NormalIdentity(a.RetriedBy) || !Matches(a.Approvers, identity, groups) {
		return false
	}
	for _, d := range a.Decisions {
		if engine.NormalIdentity(d.Identity) == me {
			return false
		}
	}
	return true
}

// Waiting lists the human steps waiting in every running execution, soonest
// deadline first. An execution whose worker does not answer its state
// query within seconds is left out (WaitingUnread names them).
func Waiting(ctx context.Context, cl client.Client) ([]*WaitingStep, error) {
	out, _, err := WaitingUnread(ctx, cl)
	return out, err
}

// WaitingUnread is Waiting that also returns the IDs of the running
// executions it could not read: no worker answered their state query.
func WaitingUnread(ctx context.Context, cl client.Client) (out []*WaitingStep, unread []string, err error) {
	q, _ := ListQuery("", "running")
	out = []*WaitingStep{}
	var token []byte
	for {
		resp, err := cl.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token})
		if err != nil {
			return nil, nil, err
		}
		for _, x := range resp.Executions {
			o, err := Query(ctx, cl, x.Execution.WorkflowId)
			if err != nil {
				unread = append(unread, x.Execution.WorkflowId)
				continue
			}
			for _, st := range o.Steps {
				if st.Status == engine.StatusWaiting && st.Approval != nil {
					out = append(out, &WaitingStep{ID: x.Execution.WorkflowId, Runbook: DefinitionOf(x.SearchAttributes), Step: st.Name, Approval: st.Approval})
				}
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b *WaitingStep) int { return a.Approval.Deadline.Compare(b.Approval.Deadline) })
	return out, unread, nil
}

// ErrUnanswered is the error of a state query no worker answered in time.
var ErrUnanswered = errors.New("no worker answered the state query")

// State asks a running execution for its Outcome so far; nil when no
// worker answers within 2 seconds.
func State(ctx context.Context, cl client.Client, id string) *engine.Outcome {
	out, _ := Query(ctx, cl, id)
	return out
}

// Query is State with the reason it has no Outcome: the query's error
// (a NotFound for an unknown execution), wrapped in ErrUnanswered when
// no worker answered within 2 seconds.
func Query(ctx context.Context, cl client.Client, id string) (*engine.Outcome, error) {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	v, err := cl.QueryWorkflow(qctx, id, "", engine.QueryState)
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrUnanswered, err)
	}
	var out engine.Outcome
	if err := v.Get(&out); err != nil {
		return nil, err
	}
	return &out, nil
}
