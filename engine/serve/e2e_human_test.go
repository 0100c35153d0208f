package serve

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/interp"
)

// e2eHalfManual has a manual step only ops may mark done, then a
// question anyone may answer.
const e2eHalfManual = `apiVersion: runbook/v1
kind: Runbook
name: half-manual
version: 1.0.0
steps:
  - name: drain
    manual:
      instructions: Drain it.
      checklist: [Drained]
      assignees: [group:ops]
  - name: saw
    ask:
      question: Errors?
      fields:
        errors: {type: string, enum: ["yes", "no"]}
        count: {type: int, min: 0}
outputs:
  by: steps.drain.by
  count: steps.saw.count
`

// TestE2EHumanSteps: through the API a manual step is in the inbox of
// the ops member (not in the approvals list), refused to a caller not
// assigned and to one naming another request, marked done by ops; the
// question is answered by the requester after a bad answer is refused
// with every problem (nothing recorded); the outputs are typed.
func TestE2EHumanSteps(t *testing.T) {
	e := newE2E(t, e2eHalfManual)
	a := e.as("alice", "POST", "/v1/executions", StartRequest{Definition: "half-manual"})
	var started map[string]string
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &started) != nil {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	id := started["id"]
	inbox := func(identity, path, step string) *interp.WaitingStep {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			a := e.as(identity, "GET", path, nil)
			var list []*interp.WaitingStep
			if a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil {
				t.Fatalf("%s as %s: %d %s", path, identity, a.status, a.body)
			}
			if i := slices.IndexFunc(list, func(w *interp.WaitingStep) bool { return w.ID == id && w.Step == step }); i >= 0 || time.Now().After(deadline) || step == "" {
				if i < 0 {
					return nil
				}
				return list[i]
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	w := inbox("bob", "/v1/inbox", "drain")
	if w == nil || w.Approval.Kind != "manual" || w.Approval.Checklist[0] != "Drained" {
		t.Fatalf("bob's inbox lacks the manual step: %+v", w)
	}
	if inbox("bob", "/v1/approvals", "") != nil {
		t.Errorf("a manual step is listed among the approvals")
	}
	path := "/v1/executions/" + id
	for _, c := range []struct {
		who  string
		req  DecideRequest
		want string
	}{
		{"carol", DecideRequest{Request: w.Approval.Request, Checked: []string{"Drained"}}, "carol is not among those who may act on step drain"},
		{"bob", DecideRequest{Request: "0000000000000000", Checked: []string{"Drained"}}, "what you were shown is not what waits"},
		{"bob", DecideRequest{Request: w.Approval.Request}, "not confirmed: Drained"},
	} {
		if a = e.as(c.who, "POST", path+"/done", c.req); a.status != http.StatusForbidden || !strings.Contains(string(a.body), c.want) {
			t.Errorf("done as %s %+v: %d %s, want 403 saying %q", c.who, c.req, a.status, a.body, c.want)
		}
	}
	if a = e.as("bob", "POST", path+"/done", DecideRequest{Request: w.Approval.Request, Checked: []string{"Drained"}, Comment: "ok"}); a.status != http.StatusOK {
		t.Fatalf("done as bob: %d %s", a.status, a.body)
	}
	q := inbox("alice", "/v1/inbox", "saw")
	if q == nil {
		t.Fatal("the question is not in the requester's inbox")
	}
	a = e.as("alice", "POST", path+"/answer", DecideRequest{Request: q.Approval.Request, Answer: map[string]any{"errors": "maybe", "count": "-2"}})
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), "field errors") || !strings.Contains(string(a.body), "field count") {
		t.Errorf("a bad answer: %d %s", a.status, a.body)
	}
	if q = inbox("alice", "/v1/inbox", "saw"); q == nil || len(q.Approval.Decisions) != 0 {
		t.Fatalf("a refused answer changed the step: %+v", q)
	}
	if a = e.as("alice", "POST", path+"/answer", DecideRequest{Request: q.Approval.Request, Answer: map[string]any{"errors": "no", "count": "2"}}); a.status != http.StatusOK {
		t.Fatalf("answer: %d %s", a.status, a.body)
	}
	e.wait(id)
	a = e.as("carol", "GET", path, nil)
	var x Execution
	if a.status != http.StatusOK || json.Unmarshal(a.body, &x) != nil || x.Outcome == nil || x.Outcome.Outputs["by"] != "bob" || x.Outcome.Outputs["count"] != float64(2) {
		t.Fatalf("the execution's outputs: %d %s", a.status, a.body)
	}
}
