package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// benchHookBook is the benchmark's playbook: its first node is an AWS call
// (to the emulator), a real activity, then it concludes.
const benchHookBook = `apiVersion: runbook/v1
kind: Playbook
name: bench-hook
version: 1.0.0
triggers:
  - alarm: "bench-*"
start: who
nodes:
  - name: who
    aws: sts:GetCallerIdentity
    default: done
  - name: done
    conclude: {finding: done, severity: info}
`

// benchRounds is the number of sequential deliveries of BenchmarkEmbeddedHook
// (RUNBOOK_BENCH_ROUNDS overrides it); the throughput round sends 2.5 times
// as many.
func benchRounds(def int) int {
	if n, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return def
}

// benchSeq numbers the benchmark's alarm episodes: each delivery is a new one.
var benchSeq int

// benchAlarm is a new episode's signed generic body.
func benchAlarm() []byte {
	benchSeq++
	a := Alarm{Name: fmt.Sprintf("bench-%d", benchSeq%50), State: "ALARM",
		Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC).Add(time.Duration(benchSeq) * time.Second)}
	b, _ := json.Marshal(a)
	return b
}

// deliver sends body to the generic hook and returns the ID it started.
func (e *e2e) deliver(body []byte) (string, error) {
	code, h, err := e.signedGeneric(body)
	switch {
	case err != nil:
		return "", err
	case code != 202 || len(h.Executions) != 1 || h.Executions[0].Status != "started":
		return "", fmt.Errorf("the hook answered %d %+v", code, h)
	}
	return h.Executions[0].ID, nil
}

// firstStep waits for execution id to end and returns when its first step
// started: its first ActivityTaskStarted event's time, when a worker took
// the task.
func (e *e2e) firstStep(id string) (time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.client.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		return time.Time{}, err
	}
	it := e.client.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return time.Time{}, err
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED {
			return ev.GetEventTime().AsTime(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: no activity started", id)
}

// BenchmarkEmbeddedHook measures `runbook serve`'s generic hook on an
// embedded Temporal server with one worker, in this process, against the
// AWS emulator; each delivery is a new alarm episode of a playbook whose
// first node is an AWS call.
//
//   - hook-to-first-step-p50-ms, -p99-ms: from sending a signed delivery to
//     the first step's start (its ActivityTaskStarted event), one delivery
//     at a time, each waited for, after 5 warm-up deliveries; 200 rounds.
//   - hooks/s: deliveries accepted per second (202, started: the execution
//     is recorded by Temporal) with 8 senders at once, 500 deliveries, from
//     the first send to the last answer.
//   - first-steps/s: the same deliveries over the time from the first send
//     to the last of their first steps' starts: what the worker keeps up
//     with, not only the hook.
//
// The standard ns/op is suppressed: an op here is hundreds of deliveries.
func BenchmarkEmbeddedHook(b *testing.B) {
	e := newE2E(b, benchHookBook)
	for range 5 {
		id, err := e.deliver(benchAlarm())
		if err == nil {
			_, err = e.firstStep(id)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	rounds := benchRounds(200)
	var latencies []time.Duration
	var hooksPerSec, stepsPerSec []float64
	for b.Loop() {
		for range rounds {
			body := benchAlarm()
			begin := time.Now()
			id, err := e.deliver(body)
			var first time.Time
			if err == nil {
				first, err = e.firstStep(id)
			}
			if err != nil {
				b.Fatal(err)
			}
			latencies = append(latencies, first.Sub(begin))
		}
		h, s, err := e.benchThroughput(rounds*5/2, 8)
		if err != nil {
			b.Fatal(err)
		}
		hooksPerSec, stepsPerSec = append(hooksPerSec, h), append(stepsPerSec, s)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(benchMS(percentile(latencies, 50)), "hook-to-first-step-p50-ms")
	b.ReportMetric(benchMS(percentile(latencies, 99)), "hook-to-first-step-p99-ms")
	b.ReportMetric(median(hooksPerSec), "hooks/s")
	b.ReportMetric(median(stepsPerSec), "first-steps/s")
}

// benchThroughput sends n new episodes with senders at once and returns
// the deliveries accepted per second, and per second until the last first
// step started.
func (e *e2e) benchThroughput(n, senders int) (hooks, steps float64, err error) {
	bodies := make(chan []byte, n)
	for range n {
		bodies <- benchAlarm()
	}
	close(bodies)
	var mu sync.Mutex
	var ids []string
	var errs []error
	var wg sync.WaitGroup
	begin := time.Now()
	for range senders {
		wg.Go(func() {
			for body := range bodies {
				id, err := e.deliver(body)
				mu.Lock()
				ids, errs = append(ids, id), append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	accepted := time.Since(begin)
	if err := firstErr(errs); err != nil {
		return 0, 0, err
	}
	var last time.Time
	for _, id := range ids {
		t, err := e.firstStep(id)
		if err != nil {
			return 0, 0, err
		}
		if t.After(last) {
			last = t
		}
	}
	return float64(n) / accepted.Seconds(), float64(n) / last.Sub(begin).Seconds(), nil
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// percentile is the p-th percentile of ds, nearest rank.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 × n)
	return s[max(rank, 1)-1]
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
