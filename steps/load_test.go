package steps_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// loadApproval is the runbook of the load proofs: an approval, then a call.
const loadApproval = `apiVersion: runbook/v1
kind: Runbook
name: load-approval
version: 1.0.0
params:
  N: {type: int}
steps:
  - name: gate
    approve: {approvers: [group:oncall], message: "Go ahead with ${{ params.N }}?", timeout: 1h}
  - name: who
    aws: sts:GetCallerIdentity
`

// loadRun starts n executions of the approval runbook on e, waits until
// all wait for approval, calls waiting (memory is measured there), then
// approves them all, 16 at a time, and waits for them to succeed. It
// returns how long the approvals took, until the last one succeeded.
func loadRun(tb testing.TB, e *benchEnv, n int, waiting func()) time.Duration {
	tb.Helper()
	ctx := context.Background()
	r := engine.Validate([]engine.File{{Path: "load.yaml", Src: []byte(loadApproval)}}, engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if len(r.Plans) != 1 {
		tb.Fatal(r.Diags)
	}
	ids := make([]string, n)
	each(tb, n, func(i int) error {
		in := engine.Input{Plan: r.Plans[0], Params: map[string]any{"N": i}, StartedBy: "load", Trigger: "manual"}
		opts, err := interp.StartOptions(in, benchID("load"))
		if err != nil {
			return err
		}
		run, err := e.cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
		ids[i] = run.GetID()
		return err
	})
	each(tb, n, func(i int) error {
		for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if out := interp.State(ctx, e.cl, ids[i]); out != nil && len(out.Steps) > 0 && out.Steps[0].Status == engine.StatusWaiting {
				return nil
			}
		}
		return fmt.Errorf("%s never waited", ids[i])
	})
	waiting()
	begin := time.Now()
	each(tb, n, func(i int) error {
		_, err := interp.Decide(ctx, e.cl, ids[i], engine.UpdateApprove, engine.Decision{Identity: "oncall-" + strconv.Itoa(i%7), Groups: []string{"oncall"}})
		return err
	})
	each(tb, n, func(i int) error {
		var out engine.Outcome
		if err := e.cl.GetWorkflow(ctx, ids[i], "").Get(ctx, &out); err != nil {
			return err
		}
		if out.Status != engine.StatusSucceeded {
			return fmt.Errorf("%s: %s", ids[i], out.Status)
		}
		return nil
	})
	return time.Since(begin)
}

// each runs f for 0..n-1, 16 at a time, and fails tb on the first error.
func each(tb testing.TB, n int, f func(int) error) {
	tb.Helper()
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		tb.Fatal(first)
	}
}

// loadCount is the number of executions of the load test: 200 in CI, the
// 1,000 of the claim with RUNBOOK_LONG=1.
func loadCount() int {
	if os.Getenv("RUNBOOK_LONG") != "" {
		return 1000
	}
	return 200
}

// TestLoadWaitingApprovals: many executions wait for approval at once on
// one embedded server and one worker; all are approved, all complete.
func TestLoadWaitingApprovals(t *testing.T) {
	e, err := startBenchEnv(context.Background(), t.TempDir(), benchAWS(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.stop()
	n := loadCount()
	took := loadRun(t, e, n, func() { t.Logf("%d executions waiting; RSS %.0f MB", n, rssMB()) })
	t.Logf("approved and completed in %v", took.Round(time.Millisecond))
}

// BenchmarkEmbeddedWaiting measures 1,000 executions waiting for approval
// on the embedded server (in this process, with its worker and client):
// the process's RSS and Go heap before and once all wait (rss-MB,
// heap-MB, and per execution KB), then approvals/s until all completed.
func BenchmarkEmbeddedWaiting(b *testing.B) {
	cfg := benchAWS(b)
	n := 1000
	if s := os.Getenv("RUNBOOK_BENCH_WAITING"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for b.Loop() {
		e, err := startBenchEnv(context.Background(), b.TempDir(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		rss0, heap0 := rssMB(), heapMB()
		var rss1, heap1 float64
		took := loadRun(b, e, n, func() { rss1, heap1 = rssMB(), heapMB() })
		e.stop()
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(rss1, "rss-MB")
		b.ReportMetric(heap1, "heap-MB")
		b.ReportMetric((rss1-rss0)*1024/float64(n), "rss-KB/waiting")
		b.ReportMetric((heap1-heap0)*1024/float64(n), "heap-KB/waiting")
		b.ReportMetric(float64(n)/took.Seconds(), "approved+done/s")
	}
}

// rssMB is this process's resident set size.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// heapMB is the Go heap in use after a collection.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}
