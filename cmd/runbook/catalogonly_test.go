package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// handMade is a definition in no worker's catalog unless a test puts it
// there: its script creates the file its param names.
const handMade = `apiVersion: runbook/v1
kind: Runbook
name: hand-made
version: 6.6.6
params:
  Marker: {type: string}
steps:
  - name: drop
    script:
      command: [touch, "${{ params.Marker }}"]
`

// TestCatalogOnly is the attack of issue 14: a client of the namespace
// starts the interpreter directly with a plan of its own making, whose
// script step writes a file, on a `runbook worker --allow-scripts`. The
// worker (catalog-only by default with --allow-scripts) must fail the
// execution at once, naming the digest, and run nothing; the same plan
// runs once its definition is in the worker's --catalog, and on a worker
// started with --catalog-only=false.
func TestCatalogOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Temporal server and workers")
	}
	env := e2eEnv(t)
	srv := startChild(t, env, "server", `Temporal server on (\S+) `, "server", "--no-worker", "--headless", "--port", "0", "--state-dir", t.TempDir())
	addr := srv.ready[1]
	cl, err := client.Dial(client.Options{HostPort: addr, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	r := engine.Validate([]engine.File{{Path: "made.yaml", Src: []byte(handMade)}}, options(nil))
	if r.Diags.HasErrors() {
		t.Fatal(r.Diags)
	}
	p := r.Plans[0]
	// Scripts of a root worker run as nobody: the markers' folder is
	// open to them.
	marks, err := os.MkdirTemp("", "catalog-only-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(marks) })
	if err := os.Chmod(marks, 0o777); err != nil {
		t.Fatal(err)
	}
	worker := func(t *testing.T, flags ...string) *child {
		args := append([]string{"worker", "--address", addr, "--state-dir", t.TempDir(), "--insecure-generated-key", "--allow-scripts"}, flags...)
		return startChild(t, env, "worker", `worker on `, args...)
	}
	// attack starts the interpreter on p as any client can, and waits for
	// the end.
	attack := func(t *testing.T, marker string) (string, *engine.Outcome) {
		t.Helper()
		in := engine.Input{Plan: p, Params: map[string]any{"Marker": marker}, StartedBy: "mallory", Trigger: "manual"}
		opts, err := interp.StartOptions(in, fmt.Sprintf("hand-made-%d", time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		run, err := cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
		if err != nil {
			t.Fatal(err)
		}
		var out engine.Outcome
		if err := run.Get(ctx, &out); err != nil {
			o := interp.OutcomeOf(err)
			if o == nil {
				t.Fatalf("the execution did not end: %v", err)
			}
			out = *o
		}
		return run.GetID(), &out
	}

	t.Run("hand-made plan refused", func(t *testing.T) {
		w := worker(t)
		defer w.stop()
		marker := filepath.Join(marks, "refused")
		id, out := attack(t, marker)
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("the hand-made plan ran its script on the --allow-scripts worker: %s written", marker)
		}
		want := "plan " + p.Digest + " (hand-made@6.6.6) is not in this worker's catalog: add its definition with --catalog DIR, or start the worker with --catalog-only=false"
		if out.Status != engine.StatusFailed || out.Error == nil || out.Error.Message != want {
			t.Errorf("outcome %+v, error %+v: want failed with %q", out, out.Error, want)
		}
		if n := scheduled(t, cl, id); n != 0 {
			t.Errorf("%d activities scheduled: the refused plan ran", n)
		}
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(w.output(), "plan refused"); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("the worker did not log the refusal:\n%s", w.output())
				break
			}
		}
	})
	t.Run("in the catalog", func(t *testing.T) {
		cat := workdir(t, map[string]string{"made.yaml": "# the same definition, formatted otherwise\n" + handMade})
		w := worker(t, "--catalog", cat)
		defer w.stop()
		marker := filepath.Join(marks, "catalog")
		if _, out := attack(t, marker); out.Status != engine.StatusSucceeded {
			t.Errorf("a plan of the catalog: %+v %+v", out, out.Error)
		}
		if _, err := os.Stat(marker); err != nil {
			t.Errorf("its script did not run: %v", err)
		}
		r := e2eRun(t, cat, env, "run", "hand-made", "--catalog", cat, "-p", "Marker="+marker+"-cli", "--address", addr)
		if _, err := os.Stat(marker + "-cli"); r.code != 0 || err != nil {
			t.Errorf("runbook run NAME --catalog DIR: %v\n%s", err, r)
		}
	})
	t.Run("catalog-only off", func(t *testing.T) {
		w := worker(t, "--catalog-only=false")
		defer w.stop()
		marker := filepath.Join(marks, "off")
		if _, out := attack(t, marker); out.Status != engine.StatusSucceeded {
			t.Errorf("--catalog-only=false: %+v %+v", out, out.Error)
		}
		if _, err := os.Stat(marker); err != nil {
			t.Errorf("its script did not run: %v", err)
		}
	})
}

// scheduled counts the activities execution id scheduled.
func scheduled(t *testing.T, cl client.Client, id string) int {
	t.Helper()
	n := 0
	it := cl.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			n++
		}
	}
	return n
}

// TestCatalogDigests: the digest a worker computes from a plan that
// crossed the wire (the workers' data converter, sealing every payload,
// and the default one retry reads histories with) is the plan's own, for every
// definition of the built-in library, so that none is refused.
func TestCatalogDigests(t *testing.T) {
	plans, err := validCatalog(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := engine.ParseKeys(engine.NewKey(), "test")
	if err != nil {
		t.Fatal(err)
	}
	sealing := engine.DataConverter(&engine.Codec{Keys: keys, All: true})
	c := interp.NewCatalog(plans, nil)
	for _, p := range plans {
		for name, dc := range map[string]converter.DataConverter{"sealed": sealing, "default": converter.GetDefaultDataConverter()} {
			raw, err := dc.ToPayload(engine.Input{Plan: p})
			if err != nil {
				t.Fatal(err)
			}
			var in engine.Input
			if err := dc.FromPayload(raw, &in); err != nil {
				t.Fatal(err)
			}
			if d := engine.Digest(in.Plan); d != p.Digest || !c.Has(d) {
				t.Errorf("%s@%s (%s): digest %s after the wire, want %s", p.Name, p.Version, name, d, p.Digest)
			}
		}
	}
}

// TestCatalogOnlyFlags: when a worker runs only its catalog, and the
// flags it refuses before it connects.
func TestCatalogOnlyFlags(t *testing.T) {
	on, off := true, false
	for _, tt := range []struct {
		f            workerFlags
		anyByDefault bool // runbook server
		want         bool
	}{
		{workerFlags{}, false, false},
		{workerFlags{AllowScripts: true}, false, true},
		{workerFlags{AllowScripts: true, CatalogOnly: &off}, false, false},
		{workerFlags{CatalogOnly: &on}, false, true},
		{workerFlags{AllowScripts: true}, true, false},
		{workerFlags{AllowScripts: true, CatalogOnly: &on}, true, true},
	} {
		if got := tt.f.catalogOnly(tt.anyByDefault); got != tt.want {
			t.Errorf("%+v (server %v): catalog only %v, want %v", tt.f, tt.anyByDefault, got, tt.want)
		}
	}
	bad := workdir(t, map[string]string{"bad.yaml": "apiVersion: runbook/v1\nkind: Runbook\nname: bad\nversion: 1.0.0\nsteps: [{name: x, nope: 1}]\n"})
	state := t.TempDir()
	r := runIn(t, bad, "worker", "--catalog", bad, "--state-dir", state, "--address", "127.0.0.1:1")
	if r.code != 2 || !strings.Contains(r.stderr, "add --catalog-only") {
		t.Errorf("--catalog on a worker that runs any plan: %s", r)
	}
	r = runIn(t, bad, "worker", "--allow-scripts", "--catalog", bad, "--state-dir", state, "--address", "127.0.0.1:1")
	if r.code != 1 || !strings.Contains(r.stderr, "bad.yaml:5:") {
		t.Errorf("an invalid definition in the catalog: %s", r)
	}
}
