package serve

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
)

// e2eFlaky fails unless told otherwise; ops may start it.
const e2eFlaky = `apiVersion: runbook/v1
kind: Runbook
name: flaky
version: 1.0.0
starters: [group:ops]
params:
  Ok: {type: bool, default: false}
steps:
  - name: check
    assert: params.Ok
`

// TestE2ERetry: the API retries a failed execution as the caller, who
// must be among the definition's starters, as for a start; the retry
// keeps the first requester and records the retrier.
func TestE2ERetry(t *testing.T) {
	e := newE2E(t, e2eFlaky)
	a := e.as("alice", "POST", "/v1/executions", StartRequest{Definition: "flaky"})
	var started map[string]string
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &started) != nil {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	id := started["id"]
	if st := e.closed(id); st != enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
		t.Fatalf("%s: %s, want failed", id, st)
	}
	a = e.as("carol", "POST", "/v1/executions/"+id+"/retry", RetryRequest{})
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), "carol may not start flaky (starters: group:ops)") {
		t.Errorf("retry as carol: %d %s", a.status, a.body)
	}
	if n := e.count("RunbookName = 'flaky'"); n != 1 {
		t.Errorf("%d executions of flaky after carol's refused retry, want 1", n)
	}
	a = e.as("bob", "POST", "/v1/executions/"+id+"/retry", RetryRequest{})
	var r Retried
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &r) != nil || r.From != "check" || r.ID == "" {
		t.Fatalf("retry as bob: %d %s", a.status, a.body)
	}
	if in := e.input(r.ID); in.StartedBy != "alice" || in.RetriedBy != "bob" || in.RetryOf != id {
		t.Errorf("the retry's input: started by %q, retried by %q, retry of %q", in.StartedBy, in.RetriedBy, in.RetryOf)
	}
	if a := e.as("bob", "POST", "/v1/executions/nope/retry", RetryRequest{}); a.status != http.StatusNotFound {
		t.Errorf("retry of an unknown execution: %d %s", a.status, a.body)
	}
}
