package steps_test

// The integration harness: every test gets its own embedded Temporal
// server (engine/embedded, state in t.TempDir, a free port), its own AWS
// emulator (kumo, in-process) reached through the SDK's standard
// AWS_ENDPOINT_URL, and a worker running the interpreter workflow and the
// real AWS activities, whose HTTP traffic passes through awsTransport
// (which records every request and can answer some with throttling
// errors). Nothing at the AWS or Temporal boundary is a hand-written fake.
// Tests set environment variables, so they do not run in parallel.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/sivchari/kumo"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// harness is one test's Temporal server, AWS emulator and worker.
type harness struct {
	t      *testing.T
	client client.Client
	aws    *awsTransport
	kumo   string // kumo's URL
	audit  *memAudit
}

// memAudit keeps the worker's refused decisions.
type memAudit struct {
	mu   sync.Mutex
	list []interp.Refusal
}

func (a *memAudit) Refused(r interp.Refusal) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, r)
}

func (a *memAudit) all() []interp.Refusal {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]interp.Refusal(nil), a.list...)
}

// harnessOption changes the harness before its worker starts.
type harnessOption func(*harnessConfig)

type harnessConfig struct {
	env      map[string]string
	throttle map[string]int
	interp   []interp.Option
	acts     []steps.ActivitiesOption
	queues   []string // task queues besides the default one
}

// withActivities configures the worker's activities with opts too.
func withActivities(opts ...steps.ActivitiesOption) harnessOption {
	return func(hc *harnessConfig) { hc.acts = append(hc.acts, opts...) }
}

// withInterp configures the interpreter with opts too.
func withInterp(opts ...interp.Option) harnessOption {
	return func(hc *harnessConfig) { hc.interp = append(hc.interp, opts...) }
}

// withEnv sets an environment variable before the AWS configuration loads,
// such as AWS_ENDPOINT_URL_DYNAMODB.
func withEnv(k, v string) harnessOption {
	return func(c *harnessConfig) { c.env[k] = v }
}

// withCatalog makes the worker run only the plans of c.
func withCatalog(c *interp.Catalog) harnessOption {
	return func(hc *harnessConfig) { hc.interp = append(hc.interp, interp.WithCatalog(c)) }
}

// withQueues runs workers on these task queues too.
func withQueues(qs ...string) harnessOption {
	return func(hc *harnessConfig) { hc.queues = append(hc.queues, qs...) }
}

// withThrottle answers the first n requests of operation op (such as
// "ListQueues") with a ThrottlingException.
func withThrottle(op string, n int) harnessOption {
	return func(c *harnessConfig) { c.throttle[op] = n }
}

var quiet = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

// newHarness starts the server, kumo and the worker; all stop when the
// test ends.
func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	hc := &harnessConfig{env: map[string]string{}, throttle: map[string]int{}}
	for _, o := range opts {
		o(hc)
	}
	ctx := context.Background()

	k := kumo.NewServer()
	t.Cleanup(k.Close)
	// The AWS configuration comes from the environment, as a user's does.
	for key, v := range map[string]string{
		"AWS_ENDPOINT_URL":            k.URL,
		"AWS_ENDPOINT_URL_DYNAMODB":   "",
		"AWS_ACCESS_KEY_ID":           "AKIDINTEGRATION",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             "/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
	} {
		t.Setenv(key, v)
	}
	for key, v := range hc.env {
		t.Setenv(key, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
	if err != nil {
		t.Fatal(err)
	}
	tr := &awsTransport{base: http.DefaultTransport, throttle: hc.throttle}

	srv, err := embedded.Start(ctx, embedded.Config{StateDir: t.TempDir(), Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop the server: %v", err)
		}
	})
	cl, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	audit := &memAudit{}
	for _, q := range append([]string{engine.TaskQueue}, hc.queues...) {
		w := worker.New(cl, q, worker.Options{})
		// The tests' HTTP servers listen on loopback, which http steps may
		// not reach without allowing it.
		aopts := append([]steps.ActivitiesOption{steps.WithHTTPClient(&http.Client{Transport: tr}), steps.WithScripts(), steps.WithPrivateHTTP()}, hc.acts...)
		steps.Register(w, steps.NewActivities(cfg, aopts...), audit, hc.interp...)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	return &harness{t: t, client: cl, aws: tr, kumo: k.URL, audit: audit}
}

// runYAML runs src on a new harness and returns its outcome.
func runYAML(t *testing.T, src string, params map[string]any) (*engine.Outcome, error) {
	t.Helper()
	return newHarness(t).run(src, params)
}

// plan validates src as the CLI does, with the other definitions as its
// catalog, and returns its plan.
func (h *harness) plan(src string, catalog ...string) *engine.Plan {
	h.t.Helper()
	var files []engine.File
	for i, c := range catalog {
		files = append(files, engine.File{Path: fmt.Sprintf("catalog%d.yaml", i), Src: []byte(c)})
	}
	r := engine.Validate([]engine.File{{Path: "it.yaml", Src: []byte(src)}}, engine.Options{Kinds: steps.All(), Services: steps.AWS(), Catalog: files})
	if r.Diags.HasErrors() || len(r.Plans) != 1 {
		h.t.Fatalf("invalid test runbook:\n%v", r.Diags)
	}
	return r.Plans[0]
}

// run starts src with params and waits for its outcome.
func (h *harness) run(src string, params map[string]any) (*engine.Outcome, error) {
	h.t.Helper()
	id, err := h.start(h.plan(src), params)
	if err != nil {
		h.t.Fatalf("start: %v", err)
	}
	return h.wait(id)
}

var executions, names atomic.Int64

// unique returns base with a suffix no other call in this process gives:
// kumo keeps its resources in process-wide state, shared by every
// kumo.NewServer, so tests must not reuse resource names.
func unique(base string) string {
	return fmt.Sprintf("%s-%d", base, names.Add(1))
}

// errLocked is a start refused because the lock is held.
var errLocked = errors.New("locked")

// start starts the interpreter workflow as cmd/runbook's startExecution
// does: params checked and typed first; a definition with a lock under an
// ID derived from its key, refused (errLocked) while one runs.
func (h *harness) start(p *engine.Plan, params map[string]any) (string, error) {
	h.t.Helper()
	return h.startAs(p, params, "integration@test")
}

// startAs starts p as requester who.
func (h *harness) startAs(p *engine.Plan, params map[string]any, who string) (string, error) {
	h.t.Helper()
	return h.startInput(p, params, func(in *engine.Input) { in.StartedBy = who })
}

// startWith starts p with its input changed by input (when not nil).
func (h *harness) startWith(p *engine.Plan, params map[string]any, input func(*engine.Input)) (string, error) {
	h.t.Helper()
	if input == nil {
		input = func(*engine.Input) {}
	}
	return h.startInput(p, params, input)
}

// startInput starts p with its input changed by input.
func (h *harness) startInput(p *engine.Plan, params map[string]any, input func(*engine.Input)) (string, error) {
	h.t.Helper()
	checked, err := engine.CheckParams(p, params)
	if err != nil {
		return "", err
	}
	in := engine.Input{Plan: p, Params: checked, StartedBy: "integration@test", Trigger: "manual"}
	input(&in)
	opts, err := interp.StartOptions(in, fmt.Sprintf("%s-%d", p.Name, executions.Add(1)))
	if err != nil {
		return "", err
	}
	run, err := h.client.ExecuteWorkflow(context.Background(), opts, engine.WorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return "", fmt.Errorf("%w: %s holds the lock (run %s)", errLocked, opts.ID, started.RunId)
	}
	if err != nil {
		return "", err
	}
	return run.GetID(), nil
}

// wait waits for execution id to end and returns its outcome, from the
// result or from the failure's details, with the workflow's error.
func (h *harness) wait(id string) (*engine.Outcome, error) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out engine.Outcome
	err := h.client.GetWorkflow(ctx, id, "").Get(ctx, &out)
	if err == nil {
		return &out, nil
	}
	if o := interp.OutcomeOf(err); o != nil {
		return o, err
	}
	h.t.Fatalf("execution %s ended without an outcome: %v", id, err)
	return nil, err
}

// state queries a running execution's outcome so far.
func (h *harness) state(id string) *engine.Outcome {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := h.client.QueryWorkflow(ctx, id, "", engine.QueryState)
	if err != nil {
		return nil
	}
	var out engine.Outcome
	if v.Get(&out) != nil {
		return nil
	}
	return &out
}

// waitRunning waits until step is running in execution id.
func (h *harness) waitRunning(id, step string) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if o := h.state(id); o != nil {
			for _, s := range o.Steps {
				if s.Name == step && s.Status == engine.StatusRunning {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("step %s of %s never ran", step, id)
}

// step returns the record of the last visit of the named step, nil when it
// did not run.
func step(o *engine.Outcome, name string) *engine.StepRecord {
	var r *engine.StepRecord
	for _, s := range o.Steps {
		if s.Name == name {
			r = s
		}
	}
	return r
}

// statuses maps each step that ran to its last status, in a stable text
// form for failure messages and comparisons.
func statuses(o *engine.Outcome) string {
	parts := make([]string, len(o.Steps))
	for i, s := range o.Steps {
		parts[i] = s.Name + "=" + s.Status
	}
	return strings.Join(parts, " ")
}

// mustSucceed fails the test unless the execution succeeded.
func mustSucceed(t *testing.T, o *engine.Outcome, err error) {
	t.Helper()
	if err != nil || o.Status != engine.StatusSucceeded {
		t.Fatalf("status %s, err %v; steps %s; error %+v", o.Status, err, statuses(o), o.Error)
	}
}

// head is the header of the test runbooks.
func head(name string) string {
	return "apiVersion: runbook/v1\nkind: Runbook\nname: " + name + "\nversion: 1.0.0\n"
}
