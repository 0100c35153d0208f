package serve

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/interp"
)

const (
	// e2eCPUGate is a change an EventBridge alarm starts, which ops approve.
	e2eCPUGate = `apiVersion: runbook/v1
kind: Runbook
name: cpu-gate
version: 1.0.0
triggers:
  - alarm: "web-cpu-*"
    region: us-east-1
steps:
  - name: gate
    approve: {approvers: [group:ops], message: "Restart the web fleet?", timeout: 10m}
`
	// e2eOncallOnly and e2eHooksAllowed list starters: alarms start only
	// the second.
	e2eOncallOnly = `apiVersion: runbook/v1
kind: Runbook
name: oncall-only
version: 1.0.0
starters: [group:oncall]
triggers:
  - alarm: "starters-*"
steps:
  - name: hello
    log: hello
`
	e2eHooksAllowed = `apiVersion: runbook/v1
kind: Runbook
name: hooks-allowed
version: 1.0.0
starters: [group:oncall, group:hooks]
triggers:
  - alarm: "starters-*"
steps:
  - name: hello
    log: hello
`
)

// TestE2EHookCallers: the EventBridge hook takes only tokens of the hooks
// group; the execution a token starts is that token's (its holder may not
// approve it, as with an API start); starters apply to hook starts, signed
// deliveries counting as hook:NAME of group hooks.
func TestE2EHookCallers(t *testing.T) {
	e := newE2E(t, e2eCPUGate, e2eOncallOnly, e2eHooksAllowed)
	event := []byte(hookTestdata(t, "eventbridge-alarm.json"))
	id := "cpu-gate/arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high/2026-11-26T10:00:00.989Z"
	eventBridge := func(identity string) e2eAnswer {
		return e.do("POST", "/v1/hooks/eventbridge", event, "Authorization", "Bearer "+e.tokens[identity], "Content-Type", "application/json")
	}

	// alice's token is an API token, not a hook's: refused, nothing started.
	e.refused(eventBridge("alice"), http.StatusForbidden, "alice may not deliver hooks: only tokens of group hooks do")
	e.absent(id)

	// dave delivers hooks and approves for ops: the change he triggered
	// is his, and he may not approve it.
	want := []Started{{Definition: "cpu-gate", ID: id, Status: "started"}}
	if h := e.accepted(eventBridge("dave")); !reflect.DeepEqual(h.Executions, want) {
		t.Fatalf("EventBridge as dave: %+v, want %+v", h.Executions, want)
	}
	if in := e.input(id); in.StartedBy != "dave" {
		t.Errorf("started by %q, want dave", in.StartedBy)
	}
	request := waitingRequest(t, e, "bob", id)
	a := e.as("dave", "POST", "/v1/executions/"+url.PathEscape(id)+"/approve", DecideRequest{Comment: "mine", Request: request})
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), "dave started this execution and may not approve it") {
		t.Errorf("approve as the deliverer: %d %s", a.status, a.body)
	}
	if a := e.as("bob", "POST", "/v1/executions/"+url.PathEscape(id)+"/reject", DecideRequest{Comment: "no", Request: request}); a.status != http.StatusOK {
		t.Errorf("reject as bob: %d %s", a.status, a.body)
	}

	// Starters: a signed delivery starts only the definition whose
	// starters hold group hooks.
	h := e.accepted(e.generic(Alarm{Name: "starters-check", State: "ALARM", Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}))
	got := map[string]Started{}
	for _, s := range h.Executions {
		got[s.Definition] = s
	}
	if s := got["oncall-only"]; s.Status != "refused" || s.ID != "" || !strings.Contains(s.Reason, "hook:generic may not start oncall-only (starters: group:oncall)") {
		t.Errorf("oncall-only: %+v, want refused", s)
	}
	if s := got["hooks-allowed"]; s.Status != "started" {
		t.Errorf("hooks-allowed: %+v, want started", s)
	}
	e.absent("oncall-only/generic:starters-check/2026-11-26T10:00:00Z")
	if in := e.input("hooks-allowed/generic:starters-check/2026-11-26T10:00:00Z"); in.StartedBy != "hook:generic" {
		t.Errorf("a signed delivery's execution started by %q, want hook:generic", in.StartedBy)
	}
}

// waitingRequest waits until execution id waits for identity's decision
// and returns the request shown.
func waitingRequest(t *testing.T, e *e2e, identity, id string) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		a := e.as(identity, "GET", "/v1/approvals", nil)
		var list []*interp.WaitingStep
		if a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil {
			t.Fatalf("approvals as %s: %d %s", identity, a.status, a.body)
		}
		if i := slices.IndexFunc(list, func(w *interp.WaitingStep) bool { return w.ID == id }); i >= 0 {
			return list[i].Approval.Request
		}
	}
	t.Fatalf("%s never waited for %s", id, identity)
	return ""
}
