package casetest_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/casetest"
)

// histories serves the replay corpus (../interp/testdata/histories) by workflow ID.
func histories(t *testing.T, names ...string) casetest.History {
	t.Helper()
	byID := map[string]*historypb.History{}
	for _, name := range names {
		f, err := os.Open("../interp/testdata/histories/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		h, err := engine.ReadHistory(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		byID[name] = h
	}
	return func(_ context.Context, id string) (*historypb.History, error) {
		if h := byID[id]; h != nil {
			return h, nil
		}
		return nil, errors.New("no history of " + id)
	}
}

// recordCase records a case from history name and appends it to src.
func recordCase(t *testing.T, name string, src []byte) (*casetest.Recording, []byte) {
	t.Helper()
	rec, err := casetest.Record(context.Background(), name, histories(t, name))
	if err != nil {
		t.Fatal(err)
	}
	out, err := casetest.Append(src, rec.Case)
	if err != nil {
		t.Fatal(err)
	}
	return rec, out
}

// TestRecordReplays records a case from each history without children and
// runs it against the plan the history holds: it passes.
func TestRecordReplays(t *testing.T) {
	for _, name := range []string{"aws-outputs-routing", "waitfor-succeed", "sleep-finally-fail", "manual-ask"} {
		t.Run(name, func(t *testing.T) {
			rec, src := recordCase(t, name, nil)
			tf, ds := casetest.Load(name+".test.yaml", src)
			if ds.HasErrors() {
				t.Fatalf("%v\n%s", ds, src)
			}
			if ds := tf.Check(rec.Plan, options(t)); ds.HasErrors() {
				t.Fatalf("%v\n%s", ds, src)
			}
			r := casetest.Run(rec.Plan, tf.Cases[0])
			if !r.Pass {
				t.Errorf("the recorded case fails: %s\n%s", strings.Join(r.Problems, "\n"), src)
			}
			if len(rec.Notes) > 0 {
				t.Errorf("notes: %v", rec.Notes)
			}
		})
	}
}

// TestRecordApprovals: decisions are recorded from update events, with
// the time after the wait began; children that cannot be read are noted.
func TestRecordApprovals(t *testing.T) {
	rec, src := recordCase(t, "approve-foreach-run-http-script", []byte("# tests\ncases: []\n"))
	t.Logf("%s", src)
	for _, want := range []string{"# tests", "approvals:", "by: ", "step: ", "status: succeeded"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in\n%s", want, src)
		}
	}
	if len(rec.Notes) == 0 {
		t.Error("no note of the child executions missing")
	}
	if _, ds := casetest.Load("r.test.yaml", src); ds.HasErrors() {
		t.Errorf("%v", ds)
	}
}

// TestRecordHumanSteps: a done-mark and an answer are recorded under
// people, with the note and the answer; a checklist confirmed whole is
// left implied (TestRecordReplays runs the case).
func TestRecordHumanSteps(t *testing.T) {
	_, src := recordCase(t, "manual-ask", nil)
	t.Logf("%s", src)
	for _, want := range []string{"people:", "{step: drain, by: alice", "decision: done, note: ok}", "{step: saw, by: bob", "decision: answer, answer: {errors: \"no\"}}"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in\n%s", want, src)
		}
	}
	if strings.Contains(string(src), "checked") {
		t.Errorf("the whole checklist recorded item by item:\n%s", src)
	}
}
