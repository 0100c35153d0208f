package serve

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

const (
	// e2eRestart waits for an approval from ops, then logs.
	e2eRestart = `apiVersion: runbook/v1
kind: Runbook
name: restart
version: 1.0.0
params:
  Service: {type: string}
steps:
  - name: gate
    approve:
      approvers: [group:ops]
      message: Restart ${{ params.Service }}?
      timeout: 5m
  - name: done
    log: restarted ${{ params.Service }}
`
	// e2eOpsOnly may be started by ops alone.
	e2eOpsOnly = `apiVersion: runbook/v1
kind: Runbook
name: ops-only
version: 1.0.0
starters: [group:ops]
steps:
  - name: done
    log: done
`
)

// TestE2EAPI: a caller with a token starts a runbook; its approve step is
// listed for an approver and not for the requester, who is refused (403,
// with the workflow's reason) while the approver's decision is taken; the
// execution's timeline then shows the decision. A definition's starters
// refuse a caller outside them.
func TestE2EAPI(t *testing.T) {
	e := newE2E(t, e2eRestart, e2eOpsOnly)
	a := e.as("alice", "POST", "/v1/executions", StartRequest{Definition: "restart@^1", Params: map[string]any{"Service": "checkout"}})
	var started map[string]string
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &started) != nil || started["definition"] != "restart@1.0.0" {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	id := started["id"]

	waiting := func(identity string) []*interp.WaitingStep {
		t.Helper()
		a := e.as(identity, "GET", "/v1/approvals", nil)
		var list []*interp.WaitingStep
		if a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil {
			t.Fatalf("approvals as %s: %d %s", identity, a.status, a.body)
		}
		return list
	}
	listed := func(list []*interp.WaitingStep) bool {
		return slices.ContainsFunc(list, func(w *interp.WaitingStep) bool { return w.ID == id && w.Step == "gate" })
	}
	deadline := time.Now().Add(30 * time.Second)
	var shown []*interp.WaitingStep
	for shown = waiting("bob"); !listed(shown); shown = waiting("bob") {
		if time.Now().After(deadline) {
			t.Fatalf("%s never waited for bob's approval", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
	request := shown[slices.IndexFunc(shown, func(w *interp.WaitingStep) bool { return w.ID == id })].Approval.Request
	if listed(waiting("alice")) {
		t.Errorf("the requester alice sees her own execution among her approvals")
	}

	// A decision must name the request it answers.
	a = e.as("bob", "POST", "/v1/executions/"+id+"/approve", DecideRequest{Comment: "unbound"})
	if a.status != http.StatusBadRequest || !strings.Contains(string(a.body), "name the approval request") {
		t.Errorf("approve without a request: %d %s", a.status, a.body)
	}
	a = e.as("bob", "POST", "/v1/executions/"+id+"/approve", DecideRequest{Comment: "stale", Request: "0000000000000000"})
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), "not what waits") {
		t.Errorf("approve with another request: %d %s", a.status, a.body)
	}
	a = e.as("alice", "POST", "/v1/executions/"+id+"/approve", DecideRequest{Comment: "mine", Request: request})
	if a.status != http.StatusForbidden || a.ctype != "application/problem+json" ||
		!strings.Contains(string(a.body), "alice started this execution and may not approve it") {
		t.Errorf("approve as the requester: %d %s", a.status, a.body)
	}
	a = e.as("bob", "POST", "/v1/executions/"+id+"/approve", DecideRequest{Comment: "go", Request: request})
	var approval engine.Approval
	if a.status != http.StatusOK || json.Unmarshal(a.body, &approval) != nil || len(approval.Decisions) != 1 ||
		approval.Decisions[0].Identity != "bob" {
		t.Fatalf("approve as bob: %d %s", a.status, a.body)
	}

	e.wait(id)
	a = e.as("carol", "GET", "/v1/executions/"+id, nil)
	var x Execution
	if a.status != http.StatusOK || json.Unmarshal(a.body, &x) != nil || x.Status != "completed" || x.Trigger != "api" || x.Outcome == nil {
		t.Fatalf("show: %d %s", a.status, a.body)
	}
	var timeline []string
	for _, s := range x.Outcome.Steps {
		timeline = append(timeline, s.Name+"="+s.Status)
	}
	if got := strings.Join(timeline, " "); got != "gate=succeeded done=succeeded" {
		t.Errorf("timeline %s", got)
	}
	if ap := x.Outcome.Steps[0].Approval; ap == nil || ap.Requester != "alice" || len(ap.Decisions) != 1 ||
		ap.Decisions[0].Identity != "bob" || ap.Decisions[0].Decision != "approve" || ap.Decisions[0].Comment != "go" {
		t.Errorf("the gate's approval %+v", ap)
	}
	if x.Outcome.Steps[1].Message != "restarted checkout" {
		t.Errorf("the last step said %q", x.Outcome.Steps[1].Message)
	}

	a = e.as("carol", "POST", "/v1/executions", StartRequest{Definition: "ops-only"})
	if a.status != http.StatusForbidden || a.ctype != "application/problem+json" ||
		!strings.Contains(string(a.body), "carol may not start ops-only (starters: group:ops)") {
		t.Errorf("carol starts ops-only: %d %s", a.status, a.body)
	}
	if a = e.as("bob", "POST", "/v1/executions", StartRequest{Definition: "ops-only"}); a.status != http.StatusCreated {
		t.Errorf("bob starts ops-only: %d %s", a.status, a.body)
	}
	e.waitCount("RunbookName = 'ops-only'", 1, 10*time.Second)
}
