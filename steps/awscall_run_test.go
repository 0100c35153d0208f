package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/sivchari/kumo"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
)

// recorder is an HTTP transport in front of kumo: it records requests and
// answers the first `fail` of them (matching `match`, when set) itself.
type recorder struct {
	mu     sync.Mutex
	reqs   []string // "X-Amz-Target or URL\nAuthorization\nbody"
	fail   int32
	match  string
	status int
	body   string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	what := req.Header.Get("X-Amz-Target")
	if what == "" {
		what = req.URL.String()
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, what+"\n"+req.Header.Get("Authorization")+"\n"+string(body))
	r.mu.Unlock()
	if (r.match == "" || strings.Contains(what, r.match)) && atomic.AddInt32(&r.fail, -1) >= 0 {
		return &http.Response{
			StatusCode: r.status, Request: req,
			Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
			Body:   io.NopCloser(strings.NewReader(r.body)),
		}, nil
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// newKumo starts kumo and returns activities pointed at it through
// AWS_ENDPOINT_URL, as a user would, with the recorder as transport.
func newKumo(tb testing.TB) (*Activities, *recorder) {
	tb.Helper()
	rec := &recorder{}
	return NewActivities(kumoConfig(tb), WithHTTPClient(&http.Client{Transport: rec})), rec
}

// kumoConfig starts kumo and loads the AWS configuration as the CLI does,
// from the environment, which points at kumo.
func kumoConfig(tb testing.TB) aws.Config {
	tb.Helper()
	srv := kumo.NewServer()
	tb.Cleanup(srv.Close)
	tb.Setenv("AWS_ENDPOINT_URL", srv.URL)
	tb.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	tb.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	tb.Setenv("AWS_REGION", "us-east-1")
	tb.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	tb.Setenv("AWS_PROFILE", "")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	// DynamoDB's client warns about every response without X-Amz-Crc32,
	// which kumo does not send.
	cfg.Logger = logging.Nop{}
	return cfg
}

func ex(src string) *engine.Expr { return &engine.Expr{Src: src} }

// run executes activity name (ActivityAWS or ActivityWaitFor) in Temporal's
// activity test environment.
func run(t *testing.T, a *Activities, name string, c engine.Call, opt ...func(*testsuite.TestActivityEnvironment)) (engine.CallResult, error) {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	for _, o := range opt {
		o(env)
	}
	a.Register(env)
	v, err := env.ExecuteActivity(name, c)
	var res engine.CallResult
	if err == nil {
		err = v.Get(&res)
	}
	return res, err
}

func mustRun(t *testing.T, a *Activities, c engine.Call) engine.CallResult {
	t.Helper()
	res, err := run(t, a, engine.ActivityAWS, c)
	if err != nil {
		t.Fatalf("%s: %v", c.Op, err)
	}
	return res
}

// appError returns err's ApplicationError.
func appError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want an ApplicationError", err, err)
	}
	return ae
}

func TestCallSQS(t *testing.T) {
	a, rec := newKumo(t)
	res := mustRun(t, a, engine.Call{Step: "create", Op: "sqs:CreateQueue", Input: map[string]any{
		"QueueName": "jobs", "Attributes": map[string]any{"VisibilityTimeout": "45"}, "Tags": nil,
	}, Outputs: []*engine.PlanOutput{{Name: "url", Expr: ex("result.QueueUrl"), Type: engine.Str}}})
	url, _ := res.Outputs["url"].(string)
	if !strings.HasSuffix(url, "/jobs") {
		t.Fatalf("outputs = %v", res.Outputs)
	}
	c := engine.Call{Step: "get", Op: "sqs:GetQueueUrl", Input: map[string]any{"QueueName": "jobs"},
		Env: map[string]any{"params": map[string]any{"Suffix": "/jobs"}},
		Outputs: []*engine.PlanOutput{
			{Name: "url", Expr: ex("result.QueueUrl"), Type: engine.Str},
			{Name: "len", Expr: ex("len(result.QueueUrl)"), Type: engine.Integer},
			{Name: "mine", Expr: ex("result.QueueUrl endsWith params.Suffix"), Type: engine.Boolean},
		}, Until: ex(`result.QueueUrl != ""`)}
	res = mustRun(t, a, c)
	// Through the history JSON numbers are float64: decode by declared type.
	n := engine.Coerce(res.Outputs["len"], engine.Integer)
	if res.Outputs["url"] != url || n != len(url) || res.Outputs["mine"] != true || !res.Met {
		t.Fatalf("result = %+v", res)
	}
	// Called directly, the activity's values are ints already.
	direct, err := a.Call(context.Background(), c)
	if err != nil || direct.Outputs["len"] != len(url) {
		t.Fatalf("direct: %v, %v", direct.Outputs, err)
	}
	if got := len(rec.requests()); got != 3 {
		t.Fatalf("%d requests, want 3 (one per call)", got)
	}
}

func TestCallDynamoDB(t *testing.T) {
	a, _ := newKumo(t)
	createTable(t, a, "items")
	mustRun(t, a, engine.Call{Step: "put", Op: "dynamodb:PutItem", Input: map[string]any{
		"TableName": "items",
		"Item": map[string]any{
			"id": map[string]any{"S": "a"}, "x": map[string]any{"S": "hello"},
			"n": map[string]any{"N": "42"}, "tags": map[string]any{"SS": []any{"p", "q"}},
		},
	}})
	res := mustRun(t, a, engine.Call{Step: "get", Op: "dynamodb:GetItem", Input: map[string]any{
		"TableName": "items", "Key": map[string]any{"id": map[string]any{"S": "a"}}, "ConsistentRead": true,
	}, Outputs: []*engine.PlanOutput{
		{Name: "x", Expr: ex("result.Item.x.S"), Type: engine.Str},
		{Name: "n", Expr: ex("int(result.Item.n.N) + 1"), Type: engine.Integer},
		{Name: "tags", Expr: ex("sort(result.Item.tags.SS)"), Type: engine.ListOf(engine.Str)},
		{Name: "missing", Expr: ex("result.Item.nope?.S"), Type: engine.Str},
	}})
	if res.Outputs["x"] != "hello" || engine.Coerce(res.Outputs["n"], engine.Integer) != 43 ||
		fmt.Sprint(res.Outputs["tags"]) != "[p q]" || res.Outputs["missing"] != nil {
		t.Fatalf("outputs = %v", res.Outputs)
	}
}

func createTable(t *testing.T, a *Activities, name string) {
	t.Helper()
	mustRun(t, a, engine.Call{Step: "table", Op: "dynamodb:CreateTable", Input: map[string]any{
		"TableName":            name,
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "id", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	}})
}

func TestCallErrors(t *testing.T) {
	a, _ := newKumo(t)
	_, err := run(t, a, engine.ActivityAWS, engine.Call{Step: "get", Op: "sqs:GetQueueUrl", Input: map[string]any{"QueueName": "nope"}})
	ae := appError(t, err)
	if !ae.NonRetryable() || !strings.Contains(ae.Type(), "NonExistentQueue") && ae.Type() != "QueueDoesNotExist" ||
		ae.Message() != ae.Type()+": The specified queue does not exist" {
		t.Fatalf("type %q, nonRetryable %v, message %q", ae.Type(), ae.NonRetryable(), ae.Message())
	}
	t.Logf("missing queue: type %q, message %q", ae.Type(), ae.Message())

	bad := []struct {
		c    engine.Call
		typ  string
		text string
	}{
		{engine.Call{Op: "sqs:GetQueueURL"}, ErrInvalidInput, `did you mean "GetQueueUrl"`},
		{engine.Call{Op: "sqs:GetQueueUrl", Input: map[string]any{"QueueNme": "x"}}, ErrInvalidInput, "QueueName"},
		{engine.Call{Op: "sqs:CreateQueue", Input: map[string]any{"QueueName": []any{1}}}, ErrInvalidInput, "QueueName"},
		{engine.Call{Op: "sqs:GetQueueUrl"}, ErrInvalidInput, "input misses required QueueName"}, // the SDK's validation
		{engine.Call{Op: "sqs:ListQueues", Outputs: []*engine.PlanOutput{{Name: "o", Expr: ex("result.Nope.X")}}}, ErrExpressionError, "output o: result.Nope.X: "},
		{engine.Call{Op: "sqs:ListQueues", Until: ex("resul")}, ErrExpressionError, "unknown name resul"},
		{engine.Call{Op: "sqs:ListQueues", Until: ex("1")}, ErrExpressionError, "not a bool"},
	}
	for _, b := range bad {
		_, err := run(t, a, engine.ActivityAWS, b.c)
		ae := appError(t, err)
		if ae.Type() != b.typ || !ae.NonRetryable() || !strings.Contains(ae.Message(), b.text) {
			t.Errorf("%s: type %q nonRetryable %v: %v", b.c.Op, ae.Type(), ae.NonRetryable(), ae)
		}
	}
}

func TestCallRetryable(t *testing.T) {
	tests := []struct {
		status    int
		body      string
		typ       string
		retryable bool
	}{
		{400, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`, "ThrottlingException", true},
		{400, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`, "ProvisionedThroughputExceededException", true},
		{500, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}`, "InternalServerError", true},
		{503, `{"__type":"ServiceUnavailable","message":"later"}`, "ServiceUnavailable", true},
		{400, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"bad"}`, "ValidationException", false},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			a, rec := newKumo(t)
			rec.fail, rec.status, rec.body = 2, tt.status, tt.body
			c := engine.Call{Step: "list", Op: "dynamodb:ListTables"}
			for range 2 {
				_, err := run(t, a, engine.ActivityAWS, c)
				ae := appError(t, err)
				if ae.Type() != tt.typ || ae.NonRetryable() == tt.retryable || !strings.HasPrefix(ae.Message(), tt.typ+": ") {
					t.Fatalf("type %q nonRetryable %v: %v", ae.Type(), ae.NonRetryable(), ae)
				}
			}
			mustRun(t, a, c) // the third attempt passes
			if n := len(rec.requests()); n != 3 {
				t.Fatalf("%d requests: the SDK retried by itself", n)
			}
		})
	}
}

func TestCallIdempotencyToken(t *testing.T) {
	a, rec := newKumo(t)
	token := "exec-1c2d3e4f-create-secret-0000000000" // 32-64 characters
	c := engine.Call{Step: "create", Op: "secretsmanager:CreateSecret", Token: token,
		Input:   map[string]any{"Name": "db-password", "SecretString": "s3cr3t"},
		Outputs: []*engine.PlanOutput{{Name: "version", Expr: ex("result.VersionId")}}}
	res := mustRun(t, a, c)
	if reqs := rec.requests(); !strings.Contains(reqs[0], `"ClientRequestToken":"`+token+`"`) {
		t.Fatalf("the token was not sent: %s", reqs[0])
	}
	t.Logf("CreateSecret with token: VersionId %v", res.Outputs["version"])
	// The same call again (a retried activity) must not make a second secret.
	if _, err := run(t, a, engine.ActivityAWS, c); err != nil {
		t.Logf("second CreateSecret with the same token: %v", err)
	}
	list := mustRun(t, a, engine.Call{Op: "secretsmanager:ListSecrets",
		Outputs: []*engine.PlanOutput{{Name: "n", Expr: ex("len(result.SecretList)")}}})
	if n := engine.Coerce(list.Outputs["n"], engine.Integer); n != 1 {
		t.Fatalf("%v secrets", n)
	}
	// A token the runbook sets itself is kept.
	own := "runbook-set-token-0123456789abcdef0123"
	mustRun(t, a, engine.Call{Op: "secretsmanager:PutSecretValue", Token: token,
		Input: map[string]any{"SecretId": "db-password", "SecretString": "v2", "ClientRequestToken": own}})
	for range 2 { // PutSecretValue with the engine's token, twice: one version
		mustRun(t, a, engine.Call{Op: "secretsmanager:PutSecretValue", Token: token + "-put",
			Input: map[string]any{"SecretId": "db-password", "SecretString": "v3"}})
	}
	desc := mustRun(t, a, engine.Call{Op: "secretsmanager:DescribeSecret", Input: map[string]any{"SecretId": "db-password"},
		Outputs: []*engine.PlanOutput{{Name: "versions", Expr: ex("sort(keys(result.VersionIdsToStages))")}}})
	versions := fmt.Sprint(desc.Outputs["versions"])
	if !strings.Contains(versions, own) || strings.Count(versions, token+"-put") != 1 {
		t.Fatalf("versions %s", versions)
	}
	t.Logf("versions after PutSecretValue: %s", versions)
	// Read-only calls have no token field: nothing is added.
	if engine.TokenField(mustOp(t, "sqs:GetQueueUrl").Input) != "" || engine.TokenField(mustOp(t, "ec2:RunInstances").Input) != "ClientToken" {
		t.Fatal("tokenField")
	}
}

func mustOp(t *testing.T, id string) *engine.Operation {
	op, err := AWS().Operation(id)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestCallRegionAndRole(t *testing.T) {
	a, rec := newKumo(t)
	mustRun(t, a, engine.Call{Step: "eu", Op: "sqs:ListQueues", Region: "eu-west-1"})
	role := "arn:aws:iam::123456789012:role/automation"
	env := map[string]any{"execution": map[string]any{"startedBy": "alice"}}
	mustRun(t, a, engine.Call{Step: "assumed", Op: "sqs:ListQueues", AssumeRole: role, Env: env})
	mustRun(t, a, engine.Call{Step: "assumed", Op: "sqs:ListQueues", AssumeRole: role, Env: env}) // cached credentials
	reqs := rec.requests()
	if len(reqs) != 4 || !strings.Contains(reqs[0], "/eu-west-1/sqs/") {
		t.Fatalf("requests:\n%s", strings.Join(reqs, "\n---\n"))
	}
	sts := reqs[1]
	if !strings.Contains(sts, "Action=AssumeRole") || !strings.Contains(sts, "RoleSessionName=default-test-workflow-id%40alice") ||
		strings.Contains(reqs[2], "Credential=AKIDTEST/") || strings.Contains(reqs[3], "Credential=AKIDTEST/") {
		t.Fatalf("requests:\n%s", strings.Join(reqs, "\n---\n"))
	}
}

// heartbeats records WaitFor's heartbeats through an interceptor.
type heartbeats struct {
	interceptor.WorkerInterceptorBase
	mu  sync.Mutex
	got []WaitProgress
}

func (h *heartbeats) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &hbInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, h: h}
}

type hbInbound struct {
	interceptor.ActivityInboundInterceptorBase
	h *heartbeats
}

func (i *hbInbound) Init(out interceptor.ActivityOutboundInterceptor) error {
	return i.Next.Init(&hbOutbound{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: out}, h: i.h})
}

type hbOutbound struct {
	interceptor.ActivityOutboundInterceptorBase
	h *heartbeats
}

func (o *hbOutbound) RecordHeartbeat(ctx context.Context, details ...any) {
	o.h.mu.Lock()
	o.h.got = append(o.h.got, details[0].(WaitProgress))
	o.h.mu.Unlock()
	o.Next.RecordHeartbeat(ctx, details...)
}

func (h *heartbeats) option(env *testsuite.TestActivityEnvironment) {
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{h}})
}

func TestWaitFor(t *testing.T) {
	a, rec := newKumo(t)
	createTable(t, a, "jobs")
	// kumo's tables are ACTIVE at once: one poll.
	res, err := run(t, a, engine.ActivityWaitFor, engine.Call{Step: "active", Op: "dynamodb:DescribeTable",
		Input: map[string]any{"TableName": "jobs"}, Until: ex(`result.Table.TableStatus == "ACTIVE"`),
		Interval: 100 * time.Millisecond,
		Outputs:  []*engine.PlanOutput{{Name: "status", Expr: ex("result.Table.TableStatus")}}})
	if err != nil || res.Polls != 1 || !res.Met || res.Outputs["status"] != "ACTIVE" {
		t.Fatalf("%+v, %v", res, err)
	}

	// A value that changes mid-wait, with throttling on the way.
	put := func(state string) {
		if _, err := a.Call(context.Background(), engine.Call{Op: "dynamodb:PutItem", Input: map[string]any{"TableName": "jobs",
			"Item": map[string]any{"id": map[string]any{"S": "j1"}, "state": map[string]any{"S": state}}}}); err != nil {
			t.Error(err)
		}
	}
	put("running")
	go func() { time.Sleep(1500 * time.Millisecond); put("done") }()
	rec.mu.Lock()
	rec.fail, rec.match, rec.status = 2, "GetItem", 400
	rec.body = `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`
	rec.mu.Unlock()
	hb := &heartbeats{}
	start := time.Now()
	res, err = run(t, a, engine.ActivityWaitFor, engine.Call{Step: "done", Op: "dynamodb:GetItem",
		Input: map[string]any{"TableName": "jobs", "Key": map[string]any{"id": map[string]any{"S": "j1"}}, "ConsistentRead": true},
		Until: ex(`result.Item?.state?.S == "done"`), Interval: 200 * time.Millisecond,
		Outputs: []*engine.PlanOutput{{Name: "state", Expr: ex("result.Item.state.S")}}}, hb.option)
	if err != nil || res.Polls < 5 || res.Outputs["state"] != "done" || time.Since(start) < 1400*time.Millisecond {
		t.Fatalf("%+v, %v after %v", res, err, time.Since(start))
	}
	hb.mu.Lock()
	got := hb.got
	hb.mu.Unlock()
	if len(got) != res.Polls-1 || got[0].Error == "" || got[0].Until != nil || got[2].Until != false || got[len(got)-1].Polls != res.Polls-1 {
		t.Fatalf("heartbeats %+v for %d polls", got, res.Polls)
	}
	t.Logf("waitFor: %d polls in %v; first heartbeat %+v", res.Polls, time.Since(start).Round(time.Millisecond), got[0])

	// Resumed after a worker restart: the count goes on from the heartbeat.
	res, err = run(t, a, engine.ActivityWaitFor, engine.Call{Step: "done", Op: "dynamodb:DescribeTable",
		Input: map[string]any{"TableName": "jobs"}, Until: ex(`result.Table.TableStatus == "ACTIVE"`)},
		func(env *testsuite.TestActivityEnvironment) {
			env.SetHeartbeatDetails(WaitProgress{Polls: 7, Until: false})
		})
	if err != nil || res.Polls != 8 {
		t.Fatalf("resumed: %+v, %v", res, err)
	}

	// A non-transient error ends the wait.
	_, err = run(t, a, engine.ActivityWaitFor, engine.Call{Op: "dynamodb:DescribeTable",
		Input: map[string]any{"TableName": "nope"}, Until: ex("true")})
	if ae := appError(t, err); ae.Type() != "ResourceNotFoundException" || !ae.NonRetryable() {
		t.Fatalf("missing table: %v", ae)
	}
	_, err = run(t, a, engine.ActivityWaitFor, engine.Call{Op: "dynamodb:ListTables"})
	if ae := appError(t, err); ae.Type() != ErrInvalidInput {
		t.Fatalf("no until: %v", ae)
	}
}

func BenchmarkCallActivity(b *testing.B) {
	a := NewActivities(kumoConfig(b))
	ctx := context.Background()
	if _, err := a.Call(ctx, engine.Call{Op: "sqs:CreateQueue", Input: map[string]any{"QueueName": "bench"}}); err != nil {
		b.Fatal(err)
	}
	c := engine.Call{Step: "get", Op: "sqs:GetQueueUrl", Input: map[string]any{"QueueName": "bench"},
		Outputs: []*engine.PlanOutput{{Name: "url", Expr: ex("result.QueueUrl"), Type: engine.Str}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Call(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
