package engine

import (
	"context"
	"io"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Replay replays a recorded history against this build's interpreter, as
// the execution it records (its workflow ID: child executions and
// idempotency tokens derive from it). An error means this build would not
// go on with that execution as it ran: a change not guarded by
// workflow.GetVersion.
func Replay(h *historypb.History, logger log.Logger) error {
	r := worker.NewWorkflowReplayer()
	Register(r)
	var id string
	if evs := h.GetEvents(); len(evs) > 0 {
		id = evs[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowId()
	}
	return r.ReplayWorkflowHistoryWithOptions(logger, h, worker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: id, RunID: "replay"},
	})
}

// ReadHistory reads a history exported as JSON (`temporal workflow show
// --output json`, `runbook history --json`).
func ReadHistory(r io.Reader) (*historypb.History, error) {
	return client.HistoryFromJSON(r, client.HistoryJSONOptions{})
}

// FetchHistory reads every page of the history of execution id (runID ""
// for its latest run).
func FetchHistory(ctx context.Context, cl client.Client, id, runID string) (*historypb.History, error) {
	it := cl.GetWorkflowHistory(ctx, id, runID, false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}
