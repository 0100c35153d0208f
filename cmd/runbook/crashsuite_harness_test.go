package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// suiteRunbook has a mutating call with an engine-filled token on each
// side of a sleep, a waitFor the test releases, and an approval.
const suiteRunbook = `apiVersion: runbook/v1
kind: Runbook
name: crashsuite
version: 1.0.0
params:
  Secret: {type: string}
  Nap: {type: duration, default: 1s}
steps:
  - name: put
    aws: secretsmanager:PutSecretValue
    input: {SecretId: "${{ params.Secret }}", SecretString: put}
    outputs: {version: result.VersionId}
  - name: nap
    sleep: ${{ params.Nap }}
  - name: ready
    waitFor:
      aws: secretsmanager:DescribeSecret
      input: {SecretId: "${{ params.Secret }}"}
      until: result.Description == "go"
      interval: 1s
      timeout: 10m
  - name: gate
    approve:
      approvers: [user:alice]
      message: Rotate ${{ params.Secret }}?
      timeout: 10m
  - name: update
    aws: secretsmanager:UpdateSecret
    input: {SecretId: "${{ params.Secret }}", SecretString: updated}
    outputs: {version: result.VersionId}
  - name: final
    aws: secretsmanager:PutSecretValue
    input: {SecretId: "${{ params.Secret }}", SecretString: final}
    outputs: {version: result.VersionId}
outputs:
  put: steps.put.version
  update: steps.update.version
  final: steps.final.version
`

// launch starts n runs, each with a random sleep (up to 3s), its waitFor
// released after a random delay (up to flipMax), and approved as soon as
// it waits. The starts go on in the background until started is closed.
func (h *harness) launch(addr string, rng *rand.Rand, n int, flipMax time.Duration) (runs []*suiteRun, started <-chan struct{}) {
	h.t.Helper()
	naps, flips := make([]time.Duration, n), make([]time.Duration, n)
	for i := range naps {
		naps[i], flips[i] = between(rng, 100*time.Millisecond, 3*time.Second), between(rng, 0, flipMax)
	}
	runs = h.secrets(naps)
	for _, r := range runs {
		r.setRelease()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.start(addr, runs); err != nil {
			h.t.Error(err)
		}
	}()
	h.flipAfter(runs, flips)
	h.approver(addr, runs)
	return runs, done
}

// server runs `runbook server --no-worker` until the test ends and
// returns its address.
func (h *harness) server() string {
	h.t.Helper()
	srv := startChild(h.t, h.env, "server", `Temporal server on (\S+) `, "server", "--no-worker", "--headless", "--port", "0", "--state-dir", h.t.TempDir())
	return srv.ready[1]
}

// suiteRun is one execution of suiteRunbook on its own secret.
type suiteRun struct {
	secret  string
	nap     time.Duration
	id      string
	outputs map[string]string // the watch's outputs

	mu       sync.Mutex
	release  bool // the test may approve it
	approved bool // an approve command succeeded
}

func (r *suiteRun) setRelease() { r.mu.Lock(); r.release = true; r.mu.Unlock() }

// harness is a suite test's world: kumo behind the ledger's proxy, a
// workdir with the runbook, the children's environment.
type harness struct {
	t      *testing.T
	t0     time.Time
	ctx    context.Context // ends, and its goroutines with it, when the test does
	wg     sync.WaitGroup
	env    []string // the children's, AWS through the proxy
	kumo   string
	dir    string
	sm     *secretsmanager.Client // straight to kumo
	ledger *ledger
	keys   *engine.Keyring // the CLI's codec key
}

func newHarness(t *testing.T) *harness {
	env := e2eEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, t0: time.Now(), ctx: ctx, kumo: envValue(env, "AWS_ENDPOINT_URL")}
	t.Cleanup(func() { cancel(); h.wg.Wait() })
	h.ledger = newLedger(t, h.kumo)
	xdg := t.TempDir()
	h.env = append(env, "AWS_ENDPOINT_URL="+h.ledger.proxy(t, "proxy"), "XDG_STATE_HOME="+xdg, "RUNBOOK_INSECURE_GENERATED_KEY=true")
	// The CLI's codec key, made before commands run at once: its creation
	// races (see TestGeneratedKeyRace).
	var err error
	if h.keys, err = engine.GeneratedKey(filepath.Join(xdg, "runbook")); err != nil {
		t.Fatal(err)
	}
	h.dir = workdir(t, map[string]string{"suite.yaml": suiteRunbook})
	h.sm = secretsClient(h.kumo)
	return h
}

// logf logs with the time since the test began.
func (h *harness) logf(format string, args ...any) {
	h.t.Helper()
	h.t.Logf("%v: "+format, append([]any{time.Since(h.t0).Round(time.Millisecond)}, args...)...)
}

// secrets creates a secret, with one version, for each run to come.
func (h *harness) secrets(naps []time.Duration) []*suiteRun {
	t := h.t
	t.Helper()
	runs := make([]*suiteRun, len(naps))
	stamp := time.Now().UnixNano()
	for i, nap := range naps {
		r := &suiteRun{secret: fmt.Sprintf("cs-%s-%d-%d", strings.ReplaceAll(t.Name(), "/", "-"), stamp, i), nap: nap}
		if _, err := h.sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(r.secret), SecretString: aws.String("initial")}); err != nil {
			t.Fatal(err)
		}
		runs[i] = r
	}
	return runs
}

// start starts an execution of each run, as ops, a few at a time.
func (h *harness) start(addr string, runs []*suiteRun) error {
	errs := make(chan error, len(runs))
	sem := make(chan struct{}, 4)
	for _, r := range runs {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			res, err := runCLI(h.dir, h.env, time.Minute, "start", "suite.yaml", "-p", "Secret="+r.secret, "-p", "Nap="+r.nap.String(), "--as", "ops", "--address", addr)
			id := strings.TrimSpace(res.stdout)
			if err == nil && (res.code != 0 || id == "") {
				err = fmt.Errorf("start %s: %s", r.secret, res)
			}
			r.mu.Lock()
			r.id = id
			r.mu.Unlock()
			errs <- err
		}()
	}
	var first error
	for range runs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// flip lets r's waitFor end: its secret's description becomes "go"
// (straight at kumo: not a counted effect, and no new version).
func (h *harness) flip(r *suiteRun) error {
	_, err := h.sm.UpdateSecret(context.Background(), &secretsmanager.UpdateSecretInput{SecretId: aws.String(r.secret), Description: aws.String("go")})
	return err
}

// flipAfter flips each run after its delay, in a goroutine.
func (h *harness) flipAfter(runs []*suiteRun, delays []time.Duration) {
	t0 := time.Now()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for i, r := range runs {
			select {
			case <-h.ctx.Done():
				return
			case <-time.After(time.Until(t0.Add(delays[i]))):
			}
			if err := h.flip(r); err != nil {
				h.t.Errorf("flip %s: %v", r.secret, err)
			}
		}
	}()
}

// approver approves, as alice through the CLI, each released run whose
// waitFor has ended, until a step after the approval has called for it,
// one command at a time, until the test ends.
func (h *harness) approver(addr string, runs []*suiteRun) {
	ctx := h.ctx
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for ctx.Err() == nil {
			for _, r := range runs {
				r.mu.Lock()
				due := r.release && !r.approved && r.id != "" && h.ledger.isReady(r.secret) && !h.ledger.isPassed(r.secret)
				r.mu.Unlock()
				if !due || ctx.Err() != nil {
					continue
				}
				res, err := runCLI(h.dir, h.env, 30*time.Second, "approve", r.id, "--as", "alice", "--address", addr)
				if err == nil && res.code == 0 {
					r.mu.Lock()
					r.approved = true
					r.mu.Unlock()
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
}

// watchAll waits, through the SDK, for every run to end, within d in
// all, checks that each succeeded and reads its outputs.
func (h *harness) watchAll(addr string, runs []*suiteRun, d time.Duration) {
	t := h.t
	t.Helper()
	cl, err := client.Dial(client.Options{HostPort: addr, DataConverter: engine.DataConverter(&engine.Codec{Keys: h.keys}),
		Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(h.ctx, d)
	defer cancel()
	for _, r := range runs {
		var out engine.Outcome
		err := cl.GetWorkflow(ctx, r.id, "").Get(ctx, &out)
		switch {
		case ctx.Err() != nil:
			t.Errorf("%s (%s) not done within %v: stuck", r.id, r.secret, d)
			continue
		case err != nil || out.Status != "succeeded":
			t.Errorf("%s (%s) did not succeed: %v %+v", r.id, r.secret, err, interp.OutcomeOf(err))
			continue
		}
		r.outputs = map[string]string{}
		for k, v := range out.Outputs {
			r.outputs[k] = fmt.Sprint(v)
		}
	}
}
