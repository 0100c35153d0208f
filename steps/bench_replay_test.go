package steps_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/log"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// BenchmarkEmbeddedReplay measures the replay of a history of about
// 10,000 events (a forEach of 5,000 sleeps, 100 at a time, recorded on
// the embedded server) against this build's interpreter: what `runbook
// replay` and the replay corpus cost. ms/replay is the median.
func BenchmarkEmbeddedReplay(b *testing.B) {
	e := benchServer(b)
	ctx := context.Background()
	p := benchPlan(b, `apiVersion: runbook/v1
kind: Runbook
name: bench-events
version: 1.0.0
steps:
  - name: each
    forEach: 1..5000
    concurrency: 100
    steps:
      - name: nap
        sleep: 10ms
`)
	in := engine.Input{Plan: p, StartedBy: "bench", Trigger: "manual"}
	opts, _ := interp.StartOptions(in, benchID("events"))
	run, err := e.cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
	if err != nil {
		b.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		b.Fatal(err)
	}
	h := &historypb.History{}
	it := e.cl.GetWorkflowHistory(ctx, run.GetID(), "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	var took []time.Duration
	for b.Loop() {
		for range benchRounds(5) {
			begin := time.Now()
			if err := interp.Replay(h, steps.All(), logger); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(begin))
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(len(h.Events)), "events")
	b.ReportMetric(benchMS(benchMedian(took)), "ms/replay")
}
