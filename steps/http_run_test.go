package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
)

// httpServer answers /echo with what it received as JSON, /status/N with
// status N, /text with text, /big with more than MaxHTTPBody bytes (an "a",
// then two-byte runes) and /redirect with a 302 to /echo.
func httpServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "contentType": r.Header.Get("Content-Type"),
			"body": string(b), "auth": r.Header.Get("Authorization"), "host": r.Host, "n": 3, "f": 1.5})
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d", code)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "a"+strings.Repeat("é", MaxHTTPBody/2+10))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/echo", http.StatusFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// outs builds outputs from "name=expression" pairs.
func outs(pairs ...string) []*engine.PlanOutput {
	var o []*engine.PlanOutput
	for _, p := range pairs {
		name, src, _ := strings.Cut(p, "=")
		o = append(o, &engine.PlanOutput{Name: name, Expr: ex(src)})
	}
	return o
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHTTP(t *testing.T) {
	srv := httpServer(t)
	a := NewActivities(aws.Config{}, WithPrivateHTTP())
	u := srv.URL
	tests := []struct {
		name string
		in   map[string]any
		outs []*engine.PlanOutput
		want string
	}{
		{"get", map[string]any{"url": u + "/echo"},
			outs("status=result.status", "ok=result.status == 200 && result.status in [200, 201]", "method=result.json.method",
				"ct=result.headers['Content-Type']", "multi=result.headers['X-Multi']", "n=result.json.n + 1", "f=result.json.f",
				"sent=result.json.contentType"),
			`{"ct":"application/json","f":1.5,"method":"GET","multi":"a, b","n":4,"ok":true,"sent":"","status":200}`},
		{"string body", map[string]any{"method": "post", "url": u + "/echo", "body": "hi"},
			outs("method=result.json.method", "ct=result.json.contentType", "body=result.json.body"),
			`{"body":"hi","ct":"text/plain; charset=utf-8","method":"POST"}`},
		{"json body", map[string]any{"method": "PUT", "url": u + "/echo",
			"body": map[string]any{"a": int64(1), "b": json.Number("2.5"), "c": []any{"x"}, "d": 3.0}},
			outs("ct=result.json.contentType", "body=result.json.body"),
			`{"body":"{\"a\":1,\"b\":2.5,\"c\":[\"x\"],\"d\":3}","ct":"application/json"}`},
		{"headers set the content type", map[string]any{"method": "PATCH", "url": u + "/echo", "body": map[string]any{"a": "b"},
			"headers": map[string]any{"content-type": "application/merge-patch+json", "Authorization": "Bearer tok", "Host": "example.com"}},
			outs("ct=result.json.contentType", "auth=result.json.auth", "host=result.json.host"),
			`{"auth":"Bearer tok","ct":"application/merge-patch+json","host":"example.com"}`},
		{"text is no json", map[string]any{"url": u + "/text"},
			outs("body=result.body", "json=result.json", "isNil=result.json == nil"),
			`{"body":"hello","isNil":true,"json":null}`},
		{"head", map[string]any{"method": "HEAD", "url": u + "/echo"},
			outs("status=result.status", "body=result.body", "json=result.json"),
			`{"body":"","json":null,"status":200}`},
		{"expect a list", map[string]any{"url": u + "/status/404", "expect": []any{int64(200), int64(404)}},
			outs("status=result.status", "body=result.body"), `{"body":"status 404","status":404}`},
		{"expect one float", map[string]any{"url": u + "/status/404", "expect": 404.0},
			outs("status=result.status"), `{"status":404}`},
		{"expect a json.Number", map[string]any{"url": u + "/status/201", "expect": []any{json.Number("201")}},
			outs("status=result.status"), `{"status":201}`},
		{"default 2xx", map[string]any{"url": u + "/status/204"}, outs("status=result.status"), `{"status":204}`},
		{"redirect followed", map[string]any{"url": u + "/redirect"},
			outs("status=result.status", "method=result.json.method"), `{"method":"GET","status":200}`},
		{"3xx expected: not followed", map[string]any{"url": u + "/redirect", "expect": []any{302}},
			outs("status=result.status", "to=result.headers.Location"), `{"status":302,"to":"/echo"}`},
		{"body cut", map[string]any{"url": u + "/big"},
			outs("runes=len(result.body)", "json=result.json", "whole=result.body endsWith 'é'"),
			fmt.Sprintf(`{"json":null,"runes":%d,"whole":true}`, MaxHTTPBody/2)}, // "a" and 2-byte runes
		{"no outputs", map[string]any{"url": u + "/echo"}, nil, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := run(t, a, engine.ActivityHTTP, engine.Call{Step: "h", Input: tt.in, Outputs: tt.outs})
			if err != nil {
				t.Fatal(err)
			}
			if got := jsonText(t, res.Outputs); got != tt.want {
				t.Errorf("outputs\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// closedURL is the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestHTTPErrors(t *testing.T) {
	srv := httpServer(t)
	a := NewActivities(aws.Config{}, WithPrivateHTTP())
	u, host := srv.URL, strings.TrimPrefix(srv.URL, "http://")
	closed := closedURL(t)
	tests := []struct {
		name      string
		in        map[string]any
		outs      []*engine.PlanOutput
		typ       string
		retryable bool
		msg       string // the message's start
	}{
		{"503", map[string]any{"url": u + "/status/503"}, nil, ErrHTTPStatus, true,
			"GET " + u + "/status/503: status 503, expected 2xx"},
		{"429", map[string]any{"url": u + "/status/429"}, nil, ErrHTTPStatus, true, "GET " + u + "/status/429: status 429"},
		{"404", map[string]any{"url": u + "/status/404"}, nil, ErrHTTPStatus, false, "GET " + u + "/status/404: status 404"},
		{"not in the list", map[string]any{"method": "POST", "url": u + "/status/500", "expect": []any{200, 202}}, nil,
			ErrHTTPStatus, true, "POST " + u + "/status/500: status 500, expected 200, 202"},
		{"2xx not in the list", map[string]any{"url": u + "/status/200", "expect": 201}, nil,
			ErrHTTPStatus, false, "GET " + u + "/status/200: status 200, expected 201"},
		{"url redacted", map[string]any{"url": "http://user:s3cret-pw@" + host + "/status/503?token=s3cret-q&x=1#s3cret-f"}, nil,
			ErrHTTPStatus, true, "GET " + u + "/status/503?token=REDACTED&x=REDACTED: status 503"},
		{"no connection", map[string]any{"url": closed + "/x?token=s3cret-q"}, nil,
			ErrHTTP, true, "GET " + closed + "/x?token=REDACTED: "},
		{"not http", map[string]any{"url": "ftp://h/x?token=s3cret-q"}, nil,
			ErrInvalidInput, false, "http: url ftp://h/x?token=REDACTED must be http"},
		{"no url", map[string]any{}, nil, ErrInvalidInput, false, "http: url  must be http"},
		{"bad url", map[string]any{"url": "http://[::1?token=s3cret-q"}, nil, ErrInvalidInput, false, "http: url is invalid"},
		{"bad method", map[string]any{"method": "GE T", "url": u}, nil, ErrInvalidInput, false, "GE T " + u + ": invalid request"},
		{"bad header", map[string]any{"url": u, "headers": map[string]any{"X-A": "s3cret\r\nX-B: 1"}}, nil,
			ErrInvalidInput, false, "GET " + u + `: header "X-A": invalid`},
		{"bad expect", map[string]any{"url": u, "expect": []any{700}}, nil, ErrInvalidInput, false, "http input: expect: 700 is no HTTP status"},
		{"unknown field", map[string]any{"url": u, "timeout": "1s"}, nil, ErrInvalidInput, false, `http input: json: unknown field "timeout"`},
		{"list as header", map[string]any{"url": u, "headers": map[string]any{"X": []any{"a"}}}, nil,
			ErrInvalidInput, false, "http input: a list where a string is expected"},
		{"output fails", map[string]any{"url": u + "/text"}, outs("x=result.json.a"), ErrExpressionError, false, "output x: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, a, engine.ActivityHTTP, engine.Call{Step: "h", Input: tt.in, Outputs: tt.outs})
			if err == nil {
				t.Fatal("no error")
			}
			ae := appError(t, err)
			if ae.Type() != tt.typ || ae.NonRetryable() == tt.retryable || !strings.HasPrefix(ae.Message(), tt.msg) {
				t.Errorf("got %s (non-retryable %v): %q\nwant %s (retryable %v): %q...", ae.Type(), ae.NonRetryable(), ae.Message(),
					tt.typ, tt.retryable, tt.msg)
			}
			if strings.Contains(ae.Message(), "s3cret") {
				t.Errorf("a secret in %q", ae.Message())
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHTTPLogsNoSecret(t *testing.T) {
	srv := httpServer(t)
	a := NewActivities(aws.Config{}, WithPrivateHTTP())
	var buf syncBuffer
	for _, path := range []string{"/echo", "/status/503"} {
		var ts testsuite.WorkflowTestSuite
		ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		env := ts.NewTestActivityEnvironment()
		a.Register(env)
		_, _ = env.ExecuteActivity(engine.ActivityHTTP, engine.Call{Step: "h", Input: map[string]any{
			"method": "POST", "url": srv.URL + path + "?key=s3cret-q", "body": map[string]any{"k": "s3cret-body"},
			"headers": map[string]any{"Authorization": "Bearer s3cret-header"}}})
	}
	logs := buf.String()
	for _, want := range []string{srv.URL + "/echo?key=REDACTED", "status=200", "status=503"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no %q in the logs:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "s3cret") {
		t.Errorf("a secret in the logs:\n%s", logs)
	}
}

func TestHTTPStepClient(t *testing.T) {
	srv := httpServer(t)
	calls := 0
	c := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		calls++
		return http.DefaultTransport.RoundTrip(r)
	})}
	a := NewActivities(aws.Config{}, WithHTTPStepClient(c))
	if _, err := run(t, a, engine.ActivityHTTP, engine.Call{Input: map[string]any{"url": srv.URL + "/text"}}); err != nil || calls != 1 {
		t.Fatalf("%d calls through the client, %v", calls, err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestHTTPDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := run(t, NewActivities(aws.Config{}, WithPrivateHTTP()), engine.ActivityHTTP, engine.Call{Input: map[string]any{"url": srv.URL}},
		func(env *testsuite.TestActivityEnvironment) {
			env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
		})
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") || time.Since(start) > 5*time.Second {
		t.Fatalf("after %v: %v, want the deadline's error", time.Since(start), err)
	}
}

func TestHTTPBadCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := run(t, NewActivities(aws.Config{}, WithPrivateHTTP()), engine.ActivityHTTP, engine.Call{Input: map[string]any{"url": srv.URL + "/?k=s3cret"}})
	if ae := appError(t, err); ae.Type() != ErrHTTP || !ae.NonRetryable() || strings.Contains(ae.Message(), "s3cret") ||
		!strings.HasPrefix(ae.Message(), "GET "+srv.URL+"/?k=REDACTED: tls: ") {
		t.Fatalf("%s (non-retryable %v): %s", ae.Type(), ae.NonRetryable(), ae.Message())
	}
}
