package interp_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// admitChild is the runbook admitParent runs.
const admitChild = "apiVersion: runbook/v1\nkind: Runbook\nname: kid\nversion: 1.0.0\nsteps: [{name: hi, log: hi}]\n"

// admitParent sleeps, so that its worker's catalog can change before it
// runs its child.
const admitParent = head + `steps:
  - name: nap
    sleep: 1h
  - name: kid
    run: kid@^1
finally:
  - name: cleanup
    log: cleaned up
`

// executeOn runs in on a test worker whose interpreter runs only the
// plans of c; during runs (if not nil) while it waits (time skips).
func executeOn(t *testing.T, c *interp.Catalog, in engine.Input, during func()) (*engine.Outcome, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	interp.Register(env, steps.All(), nil, interp.WithCatalog(c))
	if during != nil {
		env.RegisterDelayedCallback(during, time.Minute)
	}
	env.ExecuteWorkflow(engine.WorkflowName, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var out engine.Outcome
	err := env.GetWorkflowError()
	if err == nil {
		if gerr := env.GetWorkflowResult(&out); gerr != nil {
			t.Fatal(gerr)
		}
		return &out, nil
	}
	if o := interp.OutcomeOf(err); o != nil {
		out = *o
	}
	return &out, err
}

// family validates admitParent and admitChild together and returns the
// parent's plan, which pins the child's.
func family(t *testing.T) *engine.Plan {
	t.Helper()
	r := engine.Validate([]engine.File{{Path: "parent.yaml", Src: []byte(admitParent)}},
		engine.Options{Kinds: steps.All(), Services: steps.AWS(), Catalog: []engine.File{{Path: "kid.yaml", Src: []byte(admitChild)}}})
	if len(r.Plans) != 1 || r.Diags.HasErrors() {
		t.Fatalf("invalid test definitions: %v", r.Diags)
	}
	return r.Plans[0]
}

func TestCatalogAdmission(t *testing.T) {
	parent := family(t)
	kid := parent.Steps[1].Child
	altered := func() *engine.Plan {
		p := family(t)
		p.Finally[0].Main.Str = "not what was validated"
		return p
	}()
	in := func(p *engine.Plan) engine.Input { return engine.Input{Plan: p, StartedBy: "tester"} }

	t.Run("the catalog holds what its plans pin", func(t *testing.T) {
		c := interp.NewCatalog([]*engine.Plan{parent}, nil)
		if c.Len() != 2 || !c.Has(parent.Digest) || !c.Has(kid.Digest) {
			t.Errorf("catalog of %d plans: parent %v, child %v", c.Len(), c.Has(parent.Digest), c.Has(kid.Digest))
		}
	})
	t.Run("a plan of the catalog runs", func(t *testing.T) {
		out, err := executeOn(t, interp.NewCatalog([]*engine.Plan{parent}, nil), in(parent), nil)
		if err != nil || out.Status != engine.StatusSucceeded {
			t.Fatalf("%v: %+v", err, out)
		}
	})
	t.Run("a plan the catalog lacks fails at once", func(t *testing.T) {
		out, err := executeOn(t, interp.NewCatalog(nil, nil), in(parent), nil)
		want := "plan " + parent.Digest + " (t@1.0.0) is not in this worker's catalog: add its definition with --catalog DIR, or start the worker with --catalog-only=false"
		checkRefused(t, out, err, want)
	})
	t.Run("a plan changed after validation fails", func(t *testing.T) {
		// It claims the digest of a plan of the catalog.
		out, err := executeOn(t, interp.NewCatalog([]*engine.Plan{parent}, nil), in(altered), nil)
		checkRefused(t, out, err, "plan t@1.0.0 claims digest "+parent.Digest+" but its content's is "+engine.Digest(altered)+": it was changed after validation")
	})
	t.Run("a child pinned by its admitted parent runs after a catalog change", func(t *testing.T) {
		c := interp.NewCatalog([]*engine.Plan{parent}, nil)
		out, err := executeOn(t, c, in(parent), func() { c.Set(nil) })
		if err != nil || out.Status != engine.StatusSucceeded || statuses(out)["kid"] != engine.StatusSucceeded {
			t.Fatalf("%v: %+v", err, out)
		}
		if c.Len() != 0 {
			t.Error("the catalog did not change")
		}
	})
	t.Run("without a catalog any plan runs", func(t *testing.T) {
		out, err := executeOn(t, nil, in(altered), nil)
		if err != nil || out.Status != engine.StatusSucceeded {
			t.Fatalf("%v: %+v", err, out)
		}
	})
}

// checkRefused checks that an execution failed with the reason want and
// ran nothing, not even its finally steps.
func checkRefused(t *testing.T, out *engine.Outcome, err error, want string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v: want a non-retryable failure saying %q", err, want)
	}
	if out.Status != engine.StatusFailed || out.Error == nil || out.Error.Type != "NotInCatalog" || out.Error.Message != want {
		t.Errorf("outcome %+v (error %+v): want failed, NotInCatalog: %s", out, out.Error, want)
	}
	if len(out.Steps) != 0 {
		t.Errorf("steps ran: %v", statuses(out))
	}
}
