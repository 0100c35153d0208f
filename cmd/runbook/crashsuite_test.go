package main

// The crash suite: durability and exactly-once effects shown with real
// processes killed by SIGKILL. Every test runs suiteRunbook (a
// PutSecretValue, a sleep, a waitFor the test releases, an approval given
// through `runbook approve`, an UpdateSecret and a second PutSecretValue;
// the engine fills each call's ClientRequestToken) on kumo behind a
// recording proxy, and checks that every execution succeeds and that each
// mutating step had exactly one effect: one accepted token, the version
// the execution reports, one new version in kumo's state.
//
//	go test ./cmd/runbook -run TestCrashSuite -count=1 -v
//
// The CI variant is short. RUNBOOK_LONG=1 runs the long one (more
// executions, more kills). The schedule is random; the seed is logged,
// and RUNBOOK_CRASH_SEED=N replays the schedule of seed N.

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"
	"time"
)

// suiteScale is how much a suite test does.
type suiteScale struct {
	runs        int // executions of the worker-kill test
	randomKills int // kills at random delays
	effectKills int // kills right after kumo applied a call
	serverRuns  int // executions of the server-kill test (a multiple of 3)
	serverKills int
	pairRuns    int // executions of the two-worker test
}

// scaleOf is the scale of the variant asked for; it skips in -short.
func scaleOf(t *testing.T) suiteScale {
	if testing.Short() {
		t.Skip("kills and restarts Temporal servers and workers")
	}
	if os.Getenv("RUNBOOK_LONG") == "1" {
		return suiteScale{runs: 60, randomKills: 8, effectKills: 6, serverRuns: 30, serverKills: 3, pairRuns: 30}
	}
	return suiteScale{runs: 20, randomKills: 2, effectKills: 2, serverRuns: 12, serverKills: 1, pairRuns: 10}
}

// TestCrashSuiteWorkerKills runs executions on `runbook server
// --no-worker` and one `runbook worker` that it SIGKILLs and restarts:
// at random delays, and right after kumo applied a call whose answer the
// worker then never hears (the call's retry must reuse its token).
func TestCrashSuiteWorkerKills(t *testing.T) {
	sc, rng, h := begin(t)
	addr := h.server()
	w := &victim{t: t, env: h.env, name: "worker", ready: `worker on `, args: []string{"worker", "--address", addr}}
	w.start()

	at := map[int]bool{} // which first applications kill the worker
	for len(at) < sc.effectKills {
		at[1+rng.IntN(2*sc.runs)] = true
	}
	h.logf("schedule: kills after the applied calls %v, and %d at random", slices.Sorted(maps.Keys(at)), sc.randomKills)
	kills, stop := make(chan chan struct{}), make(chan struct{})
	defer close(stop)
	h.ledger.hook(func(e effect, n int) bool {
		if !at[n] {
			return false
		}
		done := make(chan struct{})
		select {
		case kills <- done:
			<-done
			return true
		case <-stop:
			return false
		}
	})
	runs, started := h.launch(addr, rng, sc.runs, 8*time.Second)

	random, byEffect := 0, 0
	deadline := time.After(3 * time.Minute)
	for random < sc.randomKills || byEffect < sc.effectKills {
		var timer <-chan time.Time
		if random < sc.randomKills {
			timer = time.After(between(rng, 2*time.Second, 8*time.Second))
		}
		var done chan struct{}
		select {
		case done = <-kills:
			byEffect++
		case <-timer:
			random++
		case <-deadline:
			t.Fatalf("after 3 minutes, %d of %d kills at an applied call", byEffect, sc.effectKills)
		}
		w.kill()
		if done != nil {
			close(done)
		}
		h.logf("killed %s #%d (%d at random, %d after an applied call)", w.name, w.n, random, byEffect)
		time.Sleep(between(rng, 200*time.Millisecond, 3*time.Second))
		w.start()
	}
	<-started
	h.logf("the kills are over; waiting for the executions")
	h.watchAll(addr, runs, 3*time.Minute)
	repeats := checkOnce(t, h.sm, h.ledger, runs)
	if repeats < byEffect {
		t.Errorf("%d repeated tokens, want at least %d (one per kill after an applied call)", repeats, byEffect)
	}
	h.logf("done: %d executions, %d kills, %d repeated calls absorbed by their token", len(runs), random+byEffect, repeats)
}

// TestCrashSuiteServerKill SIGKILLs `runbook server` (embedded Temporal
// and its worker) while a third of the executions sleep, a third wait for
// approval and a third are mid-call (kumo applied the call, the answer
// never left), then restarts it on the same state directory and port.
func TestCrashSuiteServerKill(t *testing.T) {
	sc, rng, h := begin(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv := &victim{t: t, env: h.env, name: "server", ready: `worker running on task queue runbook`,
		args: []string{"server", "--headless", "--port", fmt.Sprint(port), "--state-dir", t.TempDir()}}
	srv.start()

	naps := make([]time.Duration, sc.serverRuns)
	for i := range naps {
		naps[i] = 100 * time.Millisecond // a sleep must be positive
		if i%3 == 0 {
			naps[i] = 30 * time.Second // sleeping at the kill
		}
	}
	runs := h.secrets(naps)
	var callers, gated []*suiteRun
	for i, r := range runs {
		if err := h.flip(r); err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 1:
			gated = append(gated, r)
		case 2:
			callers, gated = append(callers, r), append(gated, r)
		}
	}
	if err := h.start(addr, runs); err != nil {
		t.Fatal(err)
	}
	h.approver(addr, runs)
	var why string
	if !await(time.Minute, func() (ok bool) { ok, why = waitingAll(h, addr, gated); return ok }) {
		t.Fatalf("not all of %d executions wait for approval after a minute: %s", len(gated), why)
	}
	h.logf("%d executions wait for approval", len(gated))

	isCaller := map[string]bool{}
	for _, r := range callers {
		isCaller[r.secret] = true
	}
	killed, withheld := killAt(h.ledger, 1+rng.IntN(len(callers)), func(e effect) bool { return e.value != "put" && isCaller[e.secret] }, srv.kill)
	for _, r := range callers {
		r.setRelease()
	}
	select {
	case <-killed:
	case <-time.After(2 * time.Minute):
		t.Fatal("no approved execution called within 2 minutes")
	}
	h.logf("killed the server right after kumo applied %s %q of %s", withheld.op, withheld.value, withheld.secret)
	asleep := 0
	for i, r := range runs {
		if i%3 == 0 && !h.ledger.isReady(r.secret) {
			asleep++
		}
	}
	if asleep == 0 {
		t.Errorf("no execution slept through the kill: the test needs longer sleeps")
	}
	srv.start()
	h.logf("server restarted on the same state (%d executions were asleep, %d waited for approval)", asleep, len(gated)-len(callers))
	for _, r := range runs {
		r.setRelease()
	}
	for i := 1; i < sc.serverKills; i++ {
		time.Sleep(between(rng, 2*time.Second, 10*time.Second))
		srv.kill()
		h.logf("killed %s #%d at random", srv.name, srv.n)
		srv.start()
	}
	h.watchAll(addr, runs, 3*time.Minute)
	repeats := checkOnce(t, h.sm, h.ledger, runs)
	if n := requests(h.ledger, *withheld, ""); n < 2 {
		t.Errorf("the call cut off by the kill was sent %d times, want a retry", n)
	}
	h.logf("done: %d executions, %d server kills, %d repeated calls absorbed by their token", len(runs), sc.serverKills, repeats)
}

// TestCrashSuiteTwoWorkers runs two workers on one server, each reaching
// kumo through its own proxy, and SIGKILLs worker A right after kumo
// applied one of its calls; worker B must finish every execution.
func TestCrashSuiteTwoWorkers(t *testing.T) {
	sc, rng, h := begin(t)
	addr := h.server()
	worker := func(via string) *child {
		env := append(append([]string(nil), h.env...), "AWS_ENDPOINT_URL="+h.ledger.proxy(t, via))
		return startChild(t, env, "worker "+via, `worker on `, "worker", "--address", addr)
	}
	a, _ := worker("A"), worker("B")

	k := 1 + rng.IntN(3)
	killed, withheld := killAt(h.ledger, k, func(e effect) bool { return e.via == "A" }, a.kill)
	runs, started := h.launch(addr, rng, sc.pairRuns, 6*time.Second)
	select {
	case <-killed:
	case <-time.After(time.Minute):
		t.Fatalf("worker A applied fewer than %d calls in a minute", k)
	}
	h.logf("killed worker A right after kumo applied its call #%d, %s %q of %s", k, withheld.op, withheld.value, withheld.secret)
	<-started
	h.watchAll(addr, runs, 2*time.Minute)
	repeats := checkOnce(t, h.sm, h.ledger, runs)
	if requests(h.ledger, *withheld, "B") == 0 {
		t.Errorf("worker B never retried the call cut off on A (%s %q of %s)", withheld.op, withheld.value, withheld.secret)
	}
	h.logf("done: %d executions, %d repeated calls absorbed by their token", len(runs), repeats)
}
