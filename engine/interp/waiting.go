package interp

import (
	"context"
	"slices"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// WaitingStep is one approve step waiting for decisions.
type WaitingStep struct {
	ID       string           `json:"id"`
	Runbook  string           `json:"runbook"` // NAME@VERSION
	Step     string           `json:"step"`
	Approval *engine.Approval `json:"approval"`
}

// MayDecide reports whether identity, with its groups, may still decide
// the step: listed, not the requester, not decided yet.
func (w *WaitingStep) MayDecide(identity string, groups []string) bool {
	a := w.Approval
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

// Waiting lists the approve steps of every running execution, soonest
// deadline first. An execution whose worker does not answer its state
// query within seconds is left out.
func Waiting(ctx context.Context, cl client.Client) ([]*WaitingStep, error) {
	q, _ := ListQuery("", "running")
	out := []*WaitingStep{}
	var token []byte
	for {
		resp, err := cl.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, x := range resp.Executions {
			o := State(ctx, cl, x.Execution.WorkflowId)
			if o == nil {
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
	return out, nil
}

// State asks a running execution for its Outcome so far; nil when no
// worker answers within 2 seconds.
func State(ctx context.Context, cl client.Client, id string) *engine.Outcome {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	v, err := cl.QueryWorkflow(qctx, id, "", engine.QueryState)
	if err != nil {
		return nil
	}
	var out engine.Outcome
	if v.Get(&out) != nil {
		return nil
	}
	return &out
}
