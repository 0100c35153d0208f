package archive_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// env is one test's embedded Temporal server and a worker of the
// interpreter workflow (the runbooks here need no activities).
type env struct {
	t  *testing.T
	cl client.Client
}

var quiet = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

func newEnv(t *testing.T) *env {
	t.Helper()
	srv, err := embedded.Start(context.Background(), embedded.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	cl, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	w := worker.New(cl, engine.TaskQueue, worker.Options{})
	interp.Register(w, steps.All(), nil)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return &env{t: t, cl: cl}
}

// The runbooks: one succeeds, one fails, one sleeps for an hour.
const (
	okSrc   = "steps:\n  - name: say\n    log: hello\n"
	failSrc = "steps:\n  - name: giveUp\n    fail: broken\n"
	slowSrc = "steps:\n  - name: settle\n    sleep: 1h\n"
)

// start starts the runbook whose steps are src under workflow ID id.
func (e *env) start(id, src string) client.WorkflowRun {
	e.t.Helper()
	def := "apiVersion: runbook/v1\nkind: Runbook\nname: archived\nversion: 1.0.0\n" + src
	r := engine.Validate([]engine.File{{Path: "it.yaml", Src: []byte(def)}}, engine.Options{Kinds: steps.All()})
	if r.Diags.HasErrors() || len(r.Plans) != 1 {
		e.t.Fatalf("invalid test runbook:\n%v", r.Diags)
	}
	in := engine.Input{Plan: r.Plans[0], StartedBy: "archive@test", Trigger: "manual"}
	opts, err := interp.StartOptions(in, id)
	if err != nil {
		e.t.Fatal(err)
	}
	run, err := e.cl.ExecuteWorkflow(context.Background(), opts, engine.WorkflowName, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return run
}

// finish waits for run to end, whatever its outcome.
func (e *env) finish(run client.WorkflowRun) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = run.Get(ctx, nil)
	if ctx.Err() != nil {
		e.t.Fatalf("%s did not end", run.GetID())
	}
}

// waitClosed waits until visibility lists n closed executions, so that a
// round of the archiver sees them all.
func (e *env) waitClosed(n int) {
	e.t.Helper()
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'Running'", engine.WorkflowName)
	var got int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := e.cl.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		if err != nil {
			e.t.Fatal(err)
		}
		if got = len(resp.Executions); got == n {
			return
		}
	}
	e.t.Fatalf("visibility lists %d closed executions, want %d", got, n)
}

// checkHistory reads an archived history, checks that its last event is
// last and that this build replays it.
func checkHistory(t *testing.T, name string, r io.Reader, last enumspb.EventType) {
	t.Helper()
	h, err := engine.ReadHistory(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	evs := h.GetEvents()
	if len(evs) == 0 || evs[len(evs)-1].GetEventType() != last {
		t.Fatalf("%s: %d events, want the last to be %v", name, len(evs), last)
	}
	if err := interp.Replay(h, steps.All(), quiet); err != nil {
		t.Fatalf("%s does not replay: %v", name, err)
	}
}
