package steps_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// missingQueue is the message the emulator gives for a queue that does not
// exist, as SQS does.
const missingQueue = "The specified queue does not exist"

// A real AWS error fails the step with the service's code and message;
// onFailure continue goes on, goto:STEP jumps over the steps between.
func TestIntegrationOnFailureContinueAndGoto(t *testing.T) {
	src := head("onfailure") + `params:
  Queue: {type: string}
steps:
  - name: lookup
    aws: sqs:GetQueueUrl
    input: {QueueName: "${{ params.Queue }}"}
    outputs:
      url: result.QueueUrl
    onFailure: continue
  - name: lookupAgain
    aws: sqs:GetQueueUrl
    input: {QueueName: "${{ params.Queue }}"}
    onFailure: goto:recover
  - name: skipped
    fail: never reached
  - name: recover
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
    outputs:
      url: result.QueueUrl
  - name: check
    assert: steps.lookup == nil && steps.recover.url endsWith "/" + params.Queue
outputs:
  url: steps.recover.url
`
	out, err := runYAML(t, src, map[string]any{"Queue": unique("missing")})
	mustSucceed(t, out, err)
	if got, want := statuses(out), "lookup=failed lookupAgain=failed recover=succeeded check=succeeded"; got != want {
		t.Errorf("steps %s, want %s", got, want)
	}
	for _, name := range []string{"lookup", "lookupAgain"} {
		e := step(out, name).Error
		if e == nil || !strings.Contains(e.Type, "NonExistentQueue") && e.Type != "QueueDoesNotExist" || !strings.Contains(e.Message, missingQueue) {
			t.Errorf("step %s error %+v: want the SQS error code and message", name, e)
		}
	}
	t.Logf("missing queue: type %q, message %q", step(out, "lookup").Error.Type, step(out, "lookup").Error.Message)
}

// onFailure abort, the default: the execution fails at once, naming the
// step and the service's error; the steps after it do not run.
func TestIntegrationOnFailureAbort(t *testing.T) {
	h := newHarness(t)
	id, err := h.start(h.plan(head("abort")+`params:
  Queue: {type: string}
steps:
  - name: lookup
    aws: sqs:GetQueueUrl
    input: {QueueName: "${{ params.Queue }}"}
  - name: after
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
`), map[string]any{"Queue": unique("missing")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !strings.HasPrefix(app.Message(), "step lookup: ") || !strings.Contains(app.Message(), missingQueue) {
		t.Fatalf("workflow error %v: want one naming the step and the reason; outcome %s %s %+v", err, out.Status, statuses(out), out.Error)
	}
	if out.Status != engine.StatusFailed || out.Failed != "lookup" || out.Error == nil || !strings.Contains(out.Error.Message, missingQueue) {
		t.Errorf("outcome %s at %q: %+v", out.Status, out.Failed, out.Error)
	}
	if statuses(out) != "lookup=failed" || h.aws.count("CreateQueue") != 0 {
		t.Errorf("steps %s; calls %v", statuses(out), h.aws.ops())
	}
	desc, err := h.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil || desc.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
		t.Errorf("Temporal status %v, %v", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
}

// log records its message; succeed ends the execution early with its
// message; the step and runbook outputs are those of the steps that ran.
func TestIntegrationLogAndSucceed(t *testing.T) {
	name := unique("early")
	out, err := runYAML(t, head("early")+`params:
  Name: {type: string}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Name }}"}
    outputs:
      url: result.QueueUrl
  - name: say
    log: created ${{ steps.create.url }}
  - name: stop
    if: steps.create.url endsWith params.Name
    succeed: nothing more to do for ${{ params.Name }}
  - name: never
    fail: after succeed
outputs:
  url: steps.create.url
`, map[string]any{"Name": name})
	mustSucceed(t, out, err)
	if statuses(out) != "create=succeeded say=succeeded stop=succeeded" {
		t.Errorf("steps %s", statuses(out))
	}
	url, _ := out.Outputs["url"].(string)
	if !strings.HasSuffix(url, "/"+name) || step(out, "say").Message != "created "+url {
		t.Errorf("outputs %v, log %q", out.Outputs, step(out, "say").Message)
	}
	if out.Message != "nothing more to do for "+name || step(out, "stop").Message != out.Message {
		t.Errorf("message %q", out.Message)
	}
}

// fail ends the execution failed with its message; finally runs after it,
// and after success too, and may call AWS and read the steps' outputs.
func TestIntegrationFailAndFinally(t *testing.T) {
	src := head("finally") + `params:
  Fail: {type: bool}
  Queue: {type: string}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
    outputs:
      url: result.QueueUrl
  - name: maybe
    if: params.Fail
    fail: asked to fail (queue ${{ steps.create.url }})
  - name: work
    log: working
finally:
  - name: cleanup
    aws: sqs:DeleteQueue
    input: {QueueUrl: "${{ steps.create.url }}"}
  - name: bye
    log: cleaned up
`
	h := newHarness(t)
	out, err := h.run(src, map[string]any{"Fail": false, "Queue": unique("temp")})
	mustSucceed(t, out, err)
	if statuses(out) != "create=succeeded maybe=skipped work=succeeded cleanup=succeeded bye=succeeded" {
		t.Errorf("after success: steps %s", statuses(out))
	}
	out, err = h.run(src, map[string]any{"Fail": true, "Queue": unique("temp")})
	if err == nil || out.Status != engine.StatusFailed || out.Failed != "maybe" || out.Error.Type != "Fail" ||
		!strings.HasPrefix(out.Error.Message, "asked to fail (queue http") || out.Message != out.Error.Message {
		t.Fatalf("status %s failed %q error %+v message %q (%v)", out.Status, out.Failed, out.Error, out.Message, err)
	}
	if statuses(out) != "create=succeeded maybe=failed cleanup=succeeded bye=succeeded" {
		t.Errorf("after failure: steps %s", statuses(out))
	}
	if n := h.aws.count("DeleteQueue"); n != 2 {
		t.Errorf("%d DeleteQueue calls, want one per execution", n)
	}
}

// The execution timeout ends a sleeping execution as timed out; finally
// still runs, AWS calls included.
func TestIntegrationTimeout(t *testing.T) {
	t0 := time.Now()
	h := newHarness(t)
	out, err := h.run(head("slow")+`timeout: 2s
params:
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
`, map[string]any{"Queue": unique("slow")})
	if err == nil || out.Status != engine.StatusTimedOut {
		t.Fatalf("status %s, err %v", out.Status, err)
	}
	if statuses(out) != "create=succeeded nap=cancelled cleanup=succeeded" {
		t.Errorf("steps %s", statuses(out))
	}
	if out.Error == nil || out.Error.Message != "the execution timed out" {
		t.Errorf("error %+v", out.Error)
	}
	if d := time.Since(t0); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	if h.aws.count("DeleteQueue") != 1 {
		t.Errorf("calls %v", h.aws.ops())
	}
}

// A step's region wins over the runbook's, which wins over the AWS
// configuration's; each call is signed for, and sent with, its region.
func TestIntegrationRegion(t *testing.T) {
	h := newHarness(t)
	out, err := h.run(head("regions")+`region: eu-west-1
params:
  Other: {type: string, default: ap-southeast-2}
  Queue: {type: string}
steps:
  - name: runbookRegion
    aws: sqs:ListQueues
  - name: stepRegion
    aws: sqs:CreateQueue
    region: us-west-2
    input: {QueueName: "${{ params.Queue }}"}
  - name: paramRegion
    aws: sqs:GetQueueUrl
    region: ${{ params.Other }}
    input: {QueueName: "${{ params.Queue }}"}
`, map[string]any{"Queue": unique("west")})
	mustSucceed(t, out, err)
	out2, err := h.run(head("default-region")+`steps:
  - name: configRegion
    aws: sqs:ListQueues
`, nil)
	mustSucceed(t, out2, err)
	got := strings.Join(h.aws.ops(), " ")
	if want := "ListQueues@eu-west-1 CreateQueue@us-west-2 GetQueueUrl@ap-southeast-2 ListQueues@us-east-1"; got != want {
		t.Errorf("calls %s\nwant  %s", got, want)
	}
}
