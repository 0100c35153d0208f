package steps_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// lock: while an execution holds a key, a second start with the same key
// is refused with the holder's ID; another key runs; once the holder has
// ended, the key can be taken again.
func TestIntegrationLock(t *testing.T) {
	h := newHarness(t)
	p := h.plan(head("locked") + `lock: params.Queue
params:
  Queue: {type: string}
  Nap: {type: duration, default: 1h}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
  - name: nap
    sleep: ${{ params.Nap }}
`)
	a, b := unique("lock-a"), unique("lock-b")
	first, err := h.start(p, map[string]any{"Queue": a})
	if err != nil {
		t.Fatal(err)
	}
	if first != "locked-lock-"+a {
		t.Errorf("execution ID %q is not derived from the lock key", first)
	}
	h.waitRunning(first, "nap")

	_, err = h.start(p, map[string]any{"Queue": a, "Nap": "1s"})
	if !errors.Is(err, errLocked) || !strings.Contains(err.Error(), first) {
		t.Fatalf("second start with the same key: %v; want it refused naming %s", err, first)
	}
	other, err := h.start(p, map[string]any{"Queue": b, "Nap": "10ms"})
	if err != nil {
		t.Fatalf("start with another key: %v", err)
	}
	out, err := h.wait(other)
	mustSucceed(t, out, err)

	if err := h.client.CancelWorkflow(context.Background(), first, ""); err != nil {
		t.Fatal(err)
	}
	if out, _ := h.wait(first); out.Status != engine.StatusCancelled {
		t.Fatalf("first: %s", out.Status)
	}
	again, err := h.start(p, map[string]any{"Queue": a, "Nap": "10ms"})
	if err != nil {
		t.Fatalf("start after the holder ended: %v", err)
	}
	out, err = h.wait(again)
	mustSucceed(t, out, err)
	if n := h.aws.count("CreateQueue"); n != 3 {
		t.Errorf("%d CreateQueue calls, want 3: the refused start must not run", n)
	}
}

// Cancelling a sleeping execution ends it cancelled, and its finally steps
// (an AWS call among them) still run.
func TestIntegrationCancel(t *testing.T) {
	h := newHarness(t)
	id, err := h.start(h.plan(head("cancelled")+`params:
  Queue: {type: string}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
    outputs:
      url: result.QueueUrl
  - name: nap
    sleep: 1h
  - name: never
    log: not reached
finally:
  - name: cleanup
    aws: sqs:DeleteQueue
    input: {QueueUrl: "${{ steps.create.url }}"}
  - name: bye
    log: cleaned up after cancel
`), map[string]any{"Queue": unique("cancelled")})
	if err != nil {
		t.Fatal(err)
	}
	h.waitRunning(id, "nap")
	if err := h.client.CancelWorkflow(context.Background(), id, ""); err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) || out.Status != engine.StatusCancelled {
		t.Fatalf("status %s, err %v", out.Status, err)
	}
	if got, want := statuses(out), "create=succeeded nap=cancelled cleanup=succeeded bye=succeeded"; got != want {
		t.Errorf("steps %s, want %s", got, want)
	}
	if h.aws.count("DeleteQueue") != 1 {
		t.Errorf("calls %v", h.aws.ops())
	}
	desc, err := h.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil || desc.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Errorf("Temporal status %v, %v", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
}
