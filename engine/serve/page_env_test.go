package serve_test

// The page's end-to-end harness: an embedded Temporal server (state in
// t.TempDir, a free port), a worker running the interpreter workflow and
// the real activities, and `runbook serve`'s handler behind an
// httptest server. Nothing at the Temporal or HTTP boundary is a fake.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/engine/serve"
	"github.com/runbook-dev/runbook/steps"
)

// pageEnv is one test's Temporal server, worker and page server.
type pageEnv struct {
	t      *testing.T
	client client.Client
	url    string // the page server's base URL
	plans  []*engine.Plan
	signed map[string][]*http.Cookie // session cookies by the token signed in with
}

// newPageEnv validates the definitions in srcs into the catalog and
// starts everything; all stops when the test ends.
func newPageEnv(t *testing.T, srcs ...string) *pageEnv {
	t.Helper()
	var files []engine.File
	for i, src := range srcs {
		files = append(files, engine.File{Path: fmt.Sprintf("def%d.yaml", i), Src: []byte(src)})
	}
	r := engine.Validate(files, engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if r.Diags.HasErrors() || len(r.Plans) != len(srcs) {
		t.Fatalf("invalid test definitions:\n%v", r.Diags)
	}

	srv, err := embedded.Start(context.Background(), embedded.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop the Temporal server: %v", err)
		}
	})
	quiet := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	cl, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	w := worker.New(cl, engine.TaskQueue, worker.Options{})
	// Approve and log steps call no AWS: the activities are there as in
	// `runbook serve`, with a configuration nothing reads.
	steps.Register(w, steps.NewActivities(aws.Config{Region: "us-east-1"}), nil)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	hs := httptest.NewServer(serve.New(serve.Config{Client: cl}, &serve.Catalog{Plans: r.Plans}, pageTokens(t)))
	t.Cleanup(hs.Close)
	return &pageEnv{t: t, client: cl, url: hs.URL, plans: r.Plans, signed: map[string][]*http.Cookie{}}
}

// start starts plan i under id as requester who, as an alarm would.
func (e *pageEnv) start(i int, id, who string) {
	e.t.Helper()
	in := engine.Input{Plan: e.plans[i], StartedBy: who, Trigger: "alarm"}
	opts, err := interp.StartOptions(in, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.client.ExecuteWorkflow(context.Background(), opts, engine.WorkflowName, in); err != nil {
		e.t.Fatalf("start %s: %v", id, err)
	}
}

// waitStatus polls execution id until step has status, and returns its
// record.
func (e *pageEnv) waitStatus(id, step, status string) *engine.StepRecord {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last *engine.Outcome
	for time.Now().Before(deadline) {
		if last = interp.State(context.Background(), e.client, id); last != nil {
			for _, r := range last.Steps {
				if r.Name == step && r.Status == status {
					return r
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("step %s of %s never became %s: %+v", step, id, status, last)
	return nil
}

// result waits for execution id to end and returns its outcome.
func (e *pageEnv) result(id string) *engine.Outcome {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var o engine.Outcome
	if err := e.client.GetWorkflow(ctx, id, "").Get(ctx, &o); err != nil {
		e.t.Fatalf("execution %s: %v", id, err)
	}
	return &o
}

// request sends method to path in a session signed in with token (on
// its first use), with origin as the Origin header ("" for none) and
// form as the body (nil for none), and returns the answer and its body,
// redirects not followed.
func (e *pageEnv) request(method, path, token, origin string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	if e.signed[token] == nil {
		e.signed[token] = signIn(e.t, e.url, token)
	}
	var body string
	if form != nil {
		body = form.Encode()
	}
	var header []string
	if origin != "" {
		header = []string{"Origin", origin}
	}
	return sendTo(e.t, e.url, method, path, e.signed[token], body, header...)
}
