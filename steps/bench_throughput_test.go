package steps_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// throughputSteps is the number of calls of each execution of the
// throughput benchmark; throughputRuns the executions of a round.
const (
	throughputSteps = 3
	throughputRuns  = 100
)

// BenchmarkEmbeddedThroughput measures executions per second on one
// embedded server and one worker: rounds of 100 executions started 16 at
// a time, each making 3 sts:GetCallerIdentity calls, as a runbook and as
// the hand-written Temporal workflow, rounds interleaved. runbook-exec/s
// and handwritten-exec/s are the medians of the rounds' rates;
// runbook/handwritten is their ratio.
func BenchmarkEmbeddedThroughput(b *testing.B) {
	cfg := benchAWS(b)
	ctx := context.Background()
	var src strings.Builder
	src.WriteString("apiVersion: runbook/v1\nkind: Runbook\nname: bench-3\nversion: 1.0.0\nsteps:\n")
	for i := range throughputSteps {
		fmt.Fprintf(&src, "  - name: call%d\n    aws: %s\n", i+1, benchOp)
	}
	r := engine.Validate([]engine.File{{Path: "bench-3.yaml", Src: []byte(src.String())}}, engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if len(r.Plans) != 1 {
		b.Fatal(r.Diags)
	}
	p := r.Plans[0]
	e, err := startBenchEnv(ctx, b.TempDir(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer e.stop()
	runbook := func() error {
		in := engine.Input{Plan: p, Params: map[string]any{}, StartedBy: "bench", Trigger: "manual"}
		opts, err := interp.StartOptions(in, benchID("tp-runbook"))
		if err != nil {
			return err
		}
		run, err := e.cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}
	handwritten := func() error {
		run, err := e.cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: benchID("tp-handwritten"), TaskQueue: engine.TaskQueue},
			handwrittenWorkflow, throughputSteps)
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}
	round := func(f func() error) time.Duration {
		begin := time.Now()
		each(b, throughputRuns, func(int) error { return f() })
		return time.Since(begin)
	}
	round(runbook) // warm up
	round(handwritten)
	rounds := benchRounds(3)
	var rb, hw []time.Duration
	for b.Loop() {
		for i := range rounds {
			if i%2 == 0 {
				rb, hw = append(rb, round(runbook)), append(hw, round(handwritten))
			} else {
				hw, rb = append(hw, round(handwritten)), append(rb, round(runbook))
			}
		}
	}
	rate := func(d time.Duration) float64 { return throughputRuns / d.Seconds() }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(rate(benchMedian(rb)), "runbook-exec/s")
	b.ReportMetric(rate(benchMedian(hw)), "handwritten-exec/s")
	b.ReportMetric(rate(benchMedian(rb))/rate(benchMedian(hw)), "runbook/handwritten")
}
