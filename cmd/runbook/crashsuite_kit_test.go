package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// victim is a process of the binary the test kills and starts again.
type victim struct {
	t           *testing.T
	env         []string
	name, ready string
	args        []string
	n           int
	mu          sync.Mutex
	cur         *child
}

func (v *victim) start() {
	v.t.Helper()
	v.n++
	c := startChild(v.t, v.env, fmt.Sprintf("%s #%d", v.name, v.n), v.ready, v.args...)
	v.mu.Lock()
	v.cur = c
	v.mu.Unlock()
}

// kill sends SIGKILL to the running process and waits until it has ended.
func (v *victim) kill() {
	v.mu.Lock()
	c := v.cur
	v.mu.Unlock()
	c.kill()
}

// requests counts the requests that carried e's token for e's step,
// through the proxy via ("" for any).
func requests(l *ledger, e effect, via string) int {
	n := 0
	for _, x := range l.seen() {
		if x.secret == e.secret && x.value == e.value && x.token == e.token && (via == "" || x.via == via) {
			n++
		}
	}
	return n
}

// killAt makes the k-th first application of a call that match accepts
// run kill before its answer leaves (the answer never does). killed is
// closed after the kill, withheld then holds the call.
func killAt(l *ledger, k int, match func(effect) bool, kill func()) (killed <-chan struct{}, withheld *effect) {
	done, call := make(chan struct{}), new(effect)
	var count atomic.Int32
	l.hook(func(e effect, _ int) bool {
		if !match(e) || count.Add(1) != int32(k) {
			return false
		}
		*call = e
		kill()
		close(done)
		return true
	})
	return done, call
}

// begin starts a suite test, in parallel with the others: its scale, its
// random schedule, its harness.
func begin(t *testing.T) (suiteScale, *rand.Rand, *harness) {
	t.Parallel()
	sc := scaleOf(t)
	return sc, suiteSeed(t), newHarness(t)
}

// freePort is a port free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// suiteSeed is RUNBOOK_CRASH_SEED, else a new seed; either is logged.
// Each test draws from its own stream of it. The seed fixes the schedule
// (delays, which applied calls kill); the processes' interleaving stays
// the machine's.
func suiteSeed(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RUNBOOK_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("RUNBOOK_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d: RUNBOOK_CRASH_SEED=%d reproduces this schedule", seed, seed)
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// between is a random duration in [lo, hi).
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// runCLI runs the binary in dir with env; an error when it runs past d.
func runCLI(dir string, env []string, d time.Duration, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout.String(), stderr.String(), 0}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("runbook %s: still running after %v", strings.Join(args, " "), d)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		return r, err
	}
	return r, nil
}

// suiteValues are the values the runbook's mutating steps set, in order,
// and the outputs that report each step's version.
var suiteValues = []struct{ value, output string }{{"put", "put"}, {"updated", "update"}, {"final", "final"}}

// checkOnce checks that every mutating step of every run had exactly one
// effect: one token among the requests kumo accepted, equal to the
// version the execution reports, and exactly one new version per step in
// kumo's state. It returns how many requests repeated an applied token
// (retries that kumo absorbed).
func checkOnce(t *testing.T, sm *secretsmanager.Client, l *ledger, runs []*suiteRun) int {
	t.Helper()
	tokens := map[[2]string]map[string]int{} // (secret, value) -> token -> requests
	for _, e := range l.seen() {
		if e.code != http.StatusOK {
			continue
		}
		k := [2]string{e.secret, e.value}
		if tokens[k] == nil {
			tokens[k] = map[string]int{}
		}
		tokens[k][e.token]++
	}
	repeats := 0
	for _, r := range runs {
		out, err := sm.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(r.secret)})
		if err != nil {
			t.Errorf("%s: %v", r.secret, err)
			continue
		}
		stages := out.VersionIdsToStages
		if len(stages) != 1+len(suiteValues) {
			t.Errorf("%s (%s) has %d versions, want %d (the initial one and one per mutating step): %v", r.secret, r.id, len(stages), 1+len(suiteValues), stages)
		}
		for _, v := range suiteValues {
			seen := tokens[[2]string{r.secret, v.value}]
			if len(seen) != 1 {
				t.Errorf("%s (%s) step setting %q: accepted tokens %v, want exactly one", r.secret, r.id, v.value, seen)
				continue
			}
			for tok, n := range seen {
				repeats += n - 1
				if tok == "" || r.outputs[v.output] != tok {
					t.Errorf("%s (%s): output %s=%q, token %q", r.secret, r.id, v.output, r.outputs[v.output], tok)
				}
				if _, ok := stages[tok]; !ok {
					t.Errorf("%s (%s): kumo has no version %s of step %q", r.secret, r.id, tok, v.value)
				}
			}
		}
		if final := stages[r.outputs["final"]]; !strings.Contains(strings.Join(final, ","), "AWSCURRENT") {
			t.Errorf("%s (%s): the final version has stages %v, want AWSCURRENT", r.secret, r.id, final)
		}
	}
	return repeats
}

// await polls cond every second until it holds or d has passed.
func await(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); !cond(); time.Sleep(time.Second) {
		if time.Now().After(end) {
			return false
		}
	}
	return true
}

// waitingAll reports whether `runbook approvals` lists every run, and
// what it printed.
func waitingAll(h *harness, addr string, runs []*suiteRun) (bool, string) {
	res, err := runCLI(h.dir, h.env, 30*time.Second, "approvals", "-o", "json", "--address", addr)
	var rows []struct{ ID, Step string }
	if err != nil || res.code != 0 || json.Unmarshal([]byte(res.stdout), &rows) != nil {
		return false, fmt.Sprintf("%v %s", err, res)
	}
	listed := map[string]bool{}
	for _, w := range rows {
		listed[w.ID] = w.Step == "gate"
	}
	for _, r := range runs {
		if !listed[r.id] {
			return false, fmt.Sprintf("%s is not listed: %s", r.id, res.stdout)
		}
	}
	return true, ""
}
