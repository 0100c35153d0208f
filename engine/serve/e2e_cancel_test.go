package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// e2eCancellable waits for bob's approval; viewers may cancel it.
const e2eCancellable = `apiVersion: runbook/v1
kind: Runbook
name: cancellable
version: 1.0.0
cancellers: [group:viewers]
steps:
  - name: gate
    approve: {approvers: [user:bob], timeout: 10m}
`

// TestE2ECancelAuthorized: only an execution's requester, its approvers,
// its cancellers and the admin group may cancel it; anyone else is
// refused (403, the execution runs on).
func TestE2ECancelAuthorized(t *testing.T) {
	e := newE2E(t, e2eCancellable)
	start := func() string {
		a := e.as("alice", "POST", "/v1/executions", StartRequest{Definition: "cancellable"})
		var started map[string]string
		if a.status != http.StatusCreated || json.Unmarshal(a.body, &started) != nil {
			t.Fatalf("start: %d %s", a.status, a.body)
		}
		waitingRequest(t, e, "bob", started["id"])
		return started["id"]
	}
	id := start()
	a := e.as("dave", "POST", "/v1/executions/"+id+"/cancel", nil)
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), "dave may not cancel this execution of cancellable: its requester alice, user:bob, group:viewers, group:admins may") {
		t.Errorf("cancel as dave: %d %s", a.status, a.body)
	}
	d, err := e.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil || d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("after dave's refused cancel: %v %v", d, err)
	}
	for _, who := range []string{"alice", "bob", "carol", "erin"} {
		if id == "" {
			id = start()
		}
		if a := e.as(who, "POST", "/v1/executions/"+id+"/cancel", nil); a.status != http.StatusAccepted {
			t.Errorf("cancel as %s: %d %s", who, a.status, a.body)
		} else if st := e.closed(id); st != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
			t.Errorf("cancel as %s: %s", who, st)
		}
		id = ""
	}
}

// closed waits for execution id to close and returns its status.
func (e *e2e) closed(id string) enumspb.WorkflowExecutionStatus {
	e.tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		d, err := e.client.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			e.tb.Fatal(err)
		}
		if st := d.WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return st
		}
	}
	e.tb.Fatalf("%s still runs after 30s", id)
	return 0
}
