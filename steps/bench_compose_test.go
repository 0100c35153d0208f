package steps_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

const benchItems = 20

// benchPlan validates a benchmark runbook.
func benchPlan(b *testing.B, src string) *engine.Plan {
	b.Helper()
	r := engine.Validate([]engine.File{{Path: "bench.yaml", Src: []byte(src)}}, engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if len(r.Plans) != 1 {
		b.Fatalf("benchmark runbook: %v", r.Diags)
	}
	return r.Plans[0]
}

// benchServer starts kumo and an embedded server with a worker, stopped
// when the benchmark ends.
func benchServer(b *testing.B) *benchEnv {
	b.Helper()
	e, err := startBenchEnv(context.Background(), b.TempDir(), benchAWS(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.stop)
	return e
}

// BenchmarkEmbeddedApproval measures an approval's round trip on the
// embedded server: from the approve update sent to the approve step
// completed (its record's End, the workflow's clock on the same host),
// and the update call's own latency (until the workflow has recorded the
// decision). Each round starts an execution and waits until it waits.
func BenchmarkEmbeddedApproval(b *testing.B) {
	ctx := context.Background()
	e := benchServer(b)
	p := benchPlan(b, `apiVersion: runbook/v1
kind: Runbook
name: bench-approve
version: 1.0.0
steps:
  - name: gate
    approve: {approvers: [user:alice], timeout: 1m}
  - name: after
    log: approved
`)
	var call, step []time.Duration
	for b.Loop() {
		for range benchRounds(20) {
			in := engine.Input{Plan: p, StartedBy: "bench", Trigger: "manual"}
			opts, _ := interp.StartOptions(in, benchID("approve"))
			run, err := e.cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
			if err != nil {
				b.Fatal(err)
			}
			for waiting := false; !waiting; {
				v, err := e.cl.QueryWorkflow(ctx, run.GetID(), "", engine.QueryState)
				var o engine.Outcome
				if err == nil && v.Get(&o) == nil && len(o.Steps) > 0 && o.Steps[0].Status == engine.StatusWaiting {
					waiting = true
				} else {
					time.Sleep(5 * time.Millisecond)
				}
			}
			sent := time.Now()
			if _, err := interp.Decide(ctx, e.cl, run.GetID(), engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
				b.Fatal(err)
			}
			call = append(call, time.Since(sent))
			var out engine.Outcome
			if err := run.Get(ctx, &out); err != nil {
				b.Fatal(err)
			}
			step = append(step, out.Steps[0].End.Sub(sent))
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(benchMS(benchMedian(step)), "ms/update-to-step-done")
	b.ReportMetric(benchMS(benchMedian(call)), "ms/update-call")
}

// BenchmarkEmbeddedForEach measures forEach's overhead per item: a loop
// of benchItems items, each one aws call (sts:GetCallerIdentity), against
// the same calls as benchItems plain steps, rounds interleaved; and the
// loop at concurrency 5.
func BenchmarkEmbeddedForEach(b *testing.B) {
	ctx := context.Background()
	e := benchServer(b)
	head := "apiVersion: runbook/v1\nkind: Runbook\nname: bench-loop\nversion: 1.0.0\nparams:\n  N: {type: int}\nsteps:\n"
	loop := func(conc int) *engine.Plan {
		return benchPlan(b, head+fmt.Sprintf(`  - name: each
    forEach: 1..params.N
    concurrency: %d
    steps:
      - name: call
        aws: %s
`, conc, benchOp))
	}
	var flatSrc strings.Builder
	flatSrc.WriteString(head)
	for i := range benchItems {
		fmt.Fprintf(&flatSrc, "  - name: call%02d\n    aws: %s\n", i, benchOp)
	}
	plans := []*engine.Plan{benchPlan(b, flatSrc.String()), loop(1), loop(5)}
	walls := make([][]time.Duration, len(plans))
	exec := func(p *engine.Plan) time.Duration {
		in := engine.Input{Plan: p, Params: map[string]any{"N": benchItems}, StartedBy: "bench", Trigger: "manual"}
		opts, _ := interp.StartOptions(in, benchID("loop"))
		begin := time.Now()
		run, err := e.cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
		if err == nil {
			err = run.Get(ctx, nil)
		}
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(begin)
	}
	for _, p := range plans { // warm-up
		exec(p)
	}
	for b.Loop() {
		for i := range benchRounds(6) {
			for j := range plans {
				k := (i + j) % len(plans)
				walls[k] = append(walls[k], exec(plans[k]))
			}
		}
	}
	flat, seq, par := benchMedian(walls[0]), benchMedian(walls[1]), benchMedian(walls[2])
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(benchMS(flat)/benchItems, "plain-ms/step")
	b.ReportMetric(benchMS(seq)/benchItems, "forEach-ms/item")
	b.ReportMetric(benchMS(seq-flat)/benchItems, "overhead-ms/item")
	b.ReportMetric(benchMS(par)/benchItems, "forEach-c5-ms/item")
}
