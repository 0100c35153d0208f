package serve

// The end-to-end harness: every test gets its own embedded Temporal server
// (engine/embedded, state in a temporary folder), the AWS emulator (kumo,
// in-process) reached through the SDK's standard AWS_ENDPOINT_URL, a
// worker running the interpreter and the real AWS activities, and this
// package's Server behind an httptest server on loopback, configured as
// `runbook serve` configures it: the catalog validated and split as
// cmd/runbook's load() does, a tokens file, an HMAC key and an SNS
// verifier that trusts a test CA serving its certificates on 127.0.0.1.
// Tests set environment variables, so they do not run in parallel.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/sivchari/kumo"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// e2e is one test's Temporal server, AWS emulator, worker and HTTP server.
type e2e struct {
	tb     testing.TB
	client client.Client
	server *Server
	url    string            // of the HTTP server
	sns    *snsFixture       // nil in benchmarks
	key    []byte            // the generic hook's HMAC key
	tokens map[string]string // identity -> bearer token
	aws    aws.Config
}

// e2eCallers are the tokens file's entries; each gets a fresh token.
var e2eCallers = []Caller{
	{Identity: "alice", Groups: []string{"ops"}},
	{Identity: "bob", Groups: []string{"ops"}},
	{Identity: "carol", Groups: []string{"viewers"}},
	{Identity: "eventbridge", Groups: []string{"hooks"}},
	{Identity: "dave", Groups: []string{"hooks", "ops"}}, // delivers hooks and approves
	{Identity: "erin", Groups: []string{"admins"}},
}

var e2eQuiet = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

// newE2E starts everything, serving the definitions defs (YAML sources,
// routing files among them); all stops when the test ends.
func newE2E(tb testing.TB, defs ...string) *e2e {
	tb.Helper()
	return newE2EWith(tb, e2eSetup{}, defs...)
}

// e2eSetup changes the harness before it starts: the worker's activity
// options and auditor, the server's configuration, and the Slack users
// the tokens file maps (identity -> Slack user ID).
type e2eSetup struct {
	worker []steps.ActivitiesOption
	audit  interp.Auditor
	config func(*Config)
	slack  map[string]string
}

// newE2EWith is newE2E changed by setup.
func newE2EWith(tb testing.TB, setup e2eSetup, defs ...string) *e2e {
	tb.Helper()
	ctx := context.Background()
	e := &e2e{tb: tb, key: []byte("e2e-hmac-key-of-at-least-32-bytes!"), tokens: map[string]string{}}

	k := kumo.NewServer()
	tb.Cleanup(k.Close)
	for key, v := range map[string]string{
		"AWS_ENDPOINT_URL": k.URL, "AWS_ACCESS_KEY_ID": "AKIDE2E", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
	} {
		tb.Setenv(key, v)
	}
	var err error
	if e.aws, err = config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{})); err != nil {
		tb.Fatal(err)
	}

	srv, err := embedded.Start(ctx, embedded.Config{StateDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			tb.Errorf("stop the Temporal server: %v", err)
		}
	})
	if e.client, err = client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: e2eQuiet}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.client.Close)
	w := worker.New(e.client, engine.TaskQueue, worker.Options{})
	steps.Register(w, steps.NewActivities(e.aws, setup.worker...), setup.audit)
	if err := w.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Stop)

	cfg := Config{Client: e.client, HMACKey: e.key, AdminGroup: "admins", Kinds: steps.All()}
	if t, ok := tb.(*testing.T); ok { // the SNS fixture's helpers take a *testing.T
		e.sns = newSNSFixture(t)
		cfg.SNS = e.sns.v
	}
	if setup.config != nil {
		setup.config(&cfg)
	}
	e.server = New(cfg, e2eCatalog(tb, defs), e.tokensFile(setup.slack))
	hs := httptest.NewServer(e.server)
	tb.Cleanup(hs.Close)
	e.url = hs.URL
	return e
}

// e2eCatalog validates defs as `runbook serve` does and splits the
// routing files' routes from the definitions.
func e2eCatalog(tb testing.TB, defs []string) *Catalog {
	tb.Helper()
	var files []engine.File
	for i, src := range defs {
		files = append(files, engine.File{Path: fmt.Sprintf("def%d.yaml", i), Src: []byte(src)})
	}
	r := engine.Validate(files, engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if r.Diags.HasErrors() || len(r.Plans) != len(defs) {
		tb.Fatalf("invalid test definitions:\n%v", r.Diags)
	}
	c := &Catalog{}
	for _, p := range r.Plans {
		if p.Kind == engine.KindRouting {
			c.Routes = append(c.Routes, p.Routes...)
			continue
		}
		c.Plans = append(c.Plans, p)
	}
	return c
}

// tokensFile makes a token for each of e2eCallers and parses the tokens
// file that holds their hashes, and maps the Slack users of slack.
func (e *e2e) tokensFile(slack map[string]string) *Tokens {
	var b strings.Builder
	for _, c := range e2eCallers {
		token, hash, err := NewToken()
		if err != nil {
			e.tb.Fatal(err)
		}
		e.tokens[c.Identity] = token
		fmt.Fprintf(&b, "- sha256: %s\n  identity: %s\n  groups: [%s]\n", hash, c.Identity, strings.Join(c.Groups, ", "))
		if id := slack[c.Identity]; id != "" {
			fmt.Fprintf(&b, "  slack: %s\n", id)
		}
	}
	t, err := ParseTokens([]byte(b.String()), "tokens.yaml")
	if err != nil {
		e.tb.Fatal(err)
	}
	return t
}

// e2eAnswer is an HTTP answer: its status, content type and body.
type e2eAnswer struct {
	status int
	ctype  string
	body   []byte
}

// do sends a request with body (nil: none) and headers, name-value pairs.
func (e *e2e) do(method, path string, body []byte, headers ...string) e2eAnswer {
	e.tb.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.tb.Fatal(err)
	}
	return e2eAnswer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b}
}

// as sends an API request with identity's token.
func (e *e2e) as(identity, method, path string, body any) e2eAnswer {
	e.tb.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	return e.do(method, path, b, "Authorization", "Bearer "+e.tokens[identity], "Content-Type", "application/json")
}

// generic delivers a to the generic hook, signed now with the key.
func (e *e2e) generic(a Alarm) e2eAnswer {
	e.tb.Helper()
	body, err := json.Marshal(a)
	if err != nil {
		e.tb.Fatal(err)
	}
	ts, sig := SignGeneric(e.key, time.Now(), body)
	return e.do("POST", "/v1/hooks/generic", body, GenericTimestampHeader, ts, GenericSignatureHeader, sig)
}

// hookAnswer is a hook's 202 body.
type hookAnswer struct {
	Alarm      string    `json:"alarm"`
	State      string    `json:"state"`
	Episode    string    `json:"episode"`
	Executions []Started `json:"executions"`
	Errors     []string  `json:"errors"`
}

// accepted decodes a hook's answer, which must be a 202.
func (e *e2e) accepted(a e2eAnswer) hookAnswer {
	e.tb.Helper()
	var h hookAnswer
	if a.status != http.StatusAccepted || json.Unmarshal(a.body, &h) != nil {
		e.tb.Fatalf("hook answered %d %s: %s, want 202 and executions", a.status, a.ctype, a.body)
	}
	return h
}

// refused checks a hook's answer is status with a problem whose detail
// holds detail.
func (e *e2e) refused(a e2eAnswer, status int, detail string) {
	e.tb.Helper()
	var p Problem
	if a.status != status || a.ctype != "application/problem+json" || json.Unmarshal(a.body, &p) != nil ||
		!strings.Contains(p.Detail, detail) {
		e.tb.Errorf("hook answered %d %s: %s, want %d and a problem saying %q", a.status, a.ctype, a.body, status, detail)
	}
}

// wait waits for execution id to end and returns its outcome.
func (e *e2e) wait(id string) *engine.Outcome {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out engine.Outcome
	if err := e.client.GetWorkflow(ctx, id, "").Get(ctx, &out); err != nil {
		e.tb.Fatalf("execution %s: %v", id, err)
	}
	return &out
}

// input is the Input execution id started with: its first event's.
func (e *e2e) input(id string) engine.Input {
	e.tb.Helper()
	it := e.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ev, err := it.Next()
	if err != nil {
		e.tb.Fatalf("history of %s: %v", id, err)
	}
	var in engine.Input
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil || converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in) != nil {
		e.tb.Fatalf("first event of %s is not a start with an Input: %v", id, ev)
	}
	return in
}

// absent fails the test unless no execution has any of ids: the history
// service answers at once (visibility may lag).
func (e *e2e) absent(ids ...string) {
	e.tb.Helper()
	for _, id := range ids {
		_, err := e.client.DescribeWorkflowExecution(context.Background(), id, "")
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			e.tb.Errorf("execution %s exists (describe: %v), want none", id, err)
		}
	}
}

// count is the number of executions of the interpreter that the visibility
// store holds matching where ("" for all).
func (e *e2e) count(where string) int {
	e.tb.Helper()
	q := fmt.Sprintf("WorkflowType = '%s'", engine.WorkflowName)
	if where != "" {
		q += " AND " + where
	}
	resp, err := e.client.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{Query: q})
	if err != nil {
		e.tb.Fatalf("count %s: %v", q, err)
	}
	return int(resp.GetCount())
}

// waitCount waits until count(where) is n, which visibility reaches
// eventually, and fails the test when it never is or goes past n.
func (e *e2e) waitCount(where string, n int, within time.Duration) {
	e.tb.Helper()
	deadline := time.Now().Add(within)
	for {
		got := e.count(where)
		switch {
		case got > n:
			e.tb.Fatalf("%d executions where %q, want %d", got, where, n)
		case got == n:
			return
		case time.Now().After(deadline):
			e.tb.Fatalf("%d executions where %q after %s, want %d", got, where, within, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
