package interp_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// TestReplay replays every recorded history under testdata/histories
// against this build's interpreter: a change that would make an old
// execution take another path fails here (guard it with
// workflow.GetVersion). `make histories` re-records the corpus.
func TestReplay(t *testing.T) {
	files, _ := filepath.Glob("testdata/histories/*.json")
	if len(files) == 0 {
		t.Fatal("no recorded histories under testdata/histories")
	}
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			file, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			h, err := engine.ReadHistory(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := interp.Replay(h, steps.All(), logger); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReplayCatchesChange shows the corpus can fail: an interpreter that
// would act otherwise (here, sleeping first) does not replay.
func TestReplayCatchesChange(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(func(ctx workflow.Context, in engine.Input) (*engine.Outcome, error) {
		if err := workflow.Sleep(ctx, time.Hour); err != nil {
			return nil, err
		}
		return interp.Workflow(steps.All(), nil)(ctx, in)
	}, workflow.RegisterOptions{Name: engine.WorkflowName})
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	err := r.ReplayWorkflowHistoryFromJSONFile(logger, "testdata/histories/aws-outputs-routing.json")
	if err == nil {
		t.Fatal("a changed interpreter replayed the recorded history")
	}
	t.Logf("caught: %v", err)
}
