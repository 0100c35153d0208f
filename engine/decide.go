package engine

import (
	"context"

	"go.temporal.io/sdk/client"
)

// Decide sends an approve or reject decision (kind is UpdateApprove or
// UpdateReject) to execution id and waits until the workflow has recorded
// it. A decision the workflow refuses (not listed, the requester, a
// repeat, no such step waiting) returns the refusal as the error; the
// execution is unchanged.
func Decide(ctx context.Context, cl client.Client, id, kind string, d Decision) (*Approval, error) {
	h, err := cl.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: kind, Args: []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return nil, err
	}
	var a Approval
	if err := h.Get(ctx, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
