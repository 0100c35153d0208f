package embedded

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// testLogger sends the server's warnings to the test log, until the test ends.
func testLogger(t testing.TB) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, nil))
}

type tWriter struct {
	t    testing.TB
	done atomic.Bool // a goroutine left over by the server may log later
}

func (w *tWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	begin := time.Now()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %v", time.Since(begin).Round(time.Millisecond))
	return s
}

func dial(t *testing.T, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.Address(),
		Namespace: DefaultNamespace,
		Logger:    sdkLogger(testLogger(t)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.Address(), err)
	}
	return c
}

func greet(ctx context.Context, name string) (string, error) { return "hello " + name, nil }

func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, greet, name).Get(ctx, &out)
	return out + "!", err
}

func TestServer(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{StateDir: dir, Logger: testLogger(t)}
	s := start(t, cfg)
	if !strings.HasPrefix(s.Address(), "127.0.0.1:") || s.UIAddress() != "" {
		t.Errorf("Address %q, UIAddress %q", s.Address(), s.UIAddress())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	c := dial(t, s)
	desc, err := c.WorkflowService().DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 30*24*time.Hour {
		t.Errorf("retention %v, want 720h", got)
	}
	checkSearchAttributes(ctx, t, c)

	w := worker.New(c, "t", worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterActivity(greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-1", TaskQueue: "t"},
		greetWorkflow, "runbook")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if out != "hello runbook!" {
		t.Errorf("workflow result %q", out)
	}
	t.Logf("workflow with one activity took %v", time.Since(begin).Round(time.Millisecond))
	w.Stop()
	c.Close()

	// A second server on the same directory is refused while the first runs.
	_, err = Start(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "another runbook server is using "+dir) {
		t.Errorf("second Start on a locked dir: %v", err)
	}

	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if conn, err := net.Dial("tcp", s.Address()); err == nil {
		conn.Close()
		t.Errorf("frontend %s still listening after Stop", s.Address())
	}

	// Restart on the same directory (another port, as Port is 0): nothing to
	// create, the earlier history is still there.
	s = start(t, cfg)
	defer s.Stop()
	c = dial(t, s)
	defer c.Close()
	wf, err := c.DescribeWorkflowExecution(ctx, "greet-1", "")
	if err != nil {
		t.Fatalf("describe earlier workflow: %v", err)
	}
	if st := wf.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("earlier workflow status %v", st)
	}
	checkSearchAttributes(ctx, t, c)
}

func checkSearchAttributes(ctx context.Context, t *testing.T, c client.Client) {
	t.Helper()
	list, err := c.OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range engine.SearchAttributes {
		if got := list.GetCustomAttributes()[name]; got != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
			t.Errorf("search attribute %s: %v", name, got)
		}
	}
}

// TestReconcile changes the retention of an existing namespace and drops one of
// its search attributes: the next start puts both back.
func TestReconcile(t *testing.T) {
	dir := t.TempDir()
	s := start(t, Config{StateDir: dir, Retention: 48 * time.Hour})
	s.Stop()
	s = start(t, Config{StateDir: dir, Logger: testLogger(t)})
	defer s.Stop()
	ctx := context.Background()
	c := dial(t, s)
	defer c.Close()
	desc, err := c.WorkflowService().DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != DefaultRetention {
		t.Errorf("retention after restart %v, want %v", got, DefaultRetention)
	}
	if _, err := c.OperatorService().RemoveSearchAttributes(ctx, &operatorservice.RemoveSearchAttributesRequest{
		SearchAttributes: []string{"AlarmName"}, Namespace: DefaultNamespace,
	}); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	s = start(t, Config{StateDir: dir, Logger: testLogger(t)})
	defer s.Stop()
	c2 := dial(t, s)
	defer c2.Close()
	checkSearchAttributes(ctx, t, c2)
}

func TestWebUI(t *testing.T) {
	port := freePort(t)
	s := start(t, Config{StateDir: t.TempDir(), UIPort: port})
	if s.UIAddress() != hostPort(port) {
		t.Errorf("UIAddress %q", s.UIAddress())
	}
	res, err := http.Get("http://" + s.UIAddress() + "/api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"default"`) {
		t.Errorf("UI namespaces: %d %.300s", res.StatusCode, body)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("tcp", hostPort(port)); err == nil {
		conn.Close()
		t.Errorf("UI still listening after Stop")
	}
}

// TestStopReleases checks that Stop gives back the ports and (nearly all) the
// goroutines. A few stay: gRPC connections of the server that it never closes,
// and the SQLite connection the Temporal plugin keeps for the process.
func TestStopReleases(t *testing.T) {
	before := runtime.NumGoroutine()
	uiPort := freePort(t)
	s := start(t, Config{StateDir: t.TempDir(), UIPort: uiPort})
	running := runtime.NumGoroutine()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{s.Address(), hostPort(uiPort)} {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			t.Errorf("%s still listening after Stop", addr)
		}
	}
	const leftOver = 60
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+leftOver && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	after := runtime.NumGoroutine()
	t.Logf("goroutines: %d before Start, %d running, %d after Stop", before, running, after)
	if after > before+leftOver {
		t.Errorf("%d goroutines left after Stop (%d before Start)", after, before)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{StateDir: t.TempDir(), Retention: time.Minute},
		{StateDir: t.TempDir(), Port: 70000},
	} {
		if _, err := Start(context.Background(), cfg); err == nil {
			t.Errorf("Start(%+v): no error", cfg)
		}
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
