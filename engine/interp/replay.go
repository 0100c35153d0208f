package interp

import (
	"github.com/runbook-dev/runbook/engine"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Replay replays a recorded history against this build's interpreter,
// running the step kinds ks, as the execution it records (its workflow
// ID: child executions and idempotency tokens derive from it). An error
// means this build would not go on with that execution as it ran: a
// change not guarded by workflow.GetVersion.
func Replay(h *historypb.History, ks engine.Kinds, logger log.Logger) error {
	r := worker.NewWorkflowReplayer()
	Register(r, ks, nil)
	var id string
	if evs := h.GetEvents(); len(evs) > 0 {
		id = evs[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowId()
	}
	return r.ReplayWorkflowHistoryWithOptions(logger, h, worker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: id, RunID: "replay"},
	})
}
