package steps_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/runbook-dev/runbook/engine"
)

// Outputs of aws steps keep their declared types through the history: an
// int read from GetQueueAttributes still works with % in later steps and
// in the runbook's outputs.
func TestIntegrationTypedOutputs(t *testing.T) {
	src := head("typed") + `params:
  Queue: {type: string}
  Body:  {type: string, default: hello}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
    outputs:
      url: result.QueueUrl
  - name: send
    aws: sqs:SendMessage
    input: {QueueUrl: "${{ steps.create.url }}", MessageBody: "${{ params.Body }}"}
    outputs:
      md5: result.MD5OfMessageBody
      hasId: result.MessageId != nil && result.MessageId != ""
  - name: sendAgain
    aws: sqs:SendMessage
    input: {QueueUrl: "${{ steps.create.url }}", MessageBody: "${{ params.Body }} again"}
  - name: sendOnceMore
    aws: sqs:SendMessage
    input: {QueueUrl: "${{ steps.create.url }}", MessageBody: "${{ params.Body }} once more"}
  - name: attrs
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "${{ steps.create.url }}", AttributeNames: [All]}
    outputs:
      visible: int(result.Attributes["ApproximateNumberOfMessages"])
      names: sort(keys(result.Attributes))
  - name: odd
    assert: steps.attrs.visible % 2 == 1 && steps.send.hasId
    message: ${{ steps.attrs.visible }} messages
outputs:
  url: steps.create.url
  visible: steps.attrs.visible
  rem: steps.attrs.visible % 2
  md5: steps.send.md5
`
	out, err := runYAML(t, src, map[string]any{"Queue": unique("typed")})
	mustSucceed(t, out, err)
	sum := md5.Sum([]byte("hello"))
	if out.Outputs["md5"] != hex.EncodeToString(sum[:]) {
		t.Errorf("md5 output %v, want the MD5 of the body sent", out.Outputs["md5"])
	}
	if !strings.Contains(fmt.Sprint(out.Outputs["url"]), "/typed-") {
		t.Errorf("url output %v", out.Outputs["url"])
	}
	// The client decodes JSON numbers as float64; the workflow did not
	// (the assert and rem above ran `%` on the recorded value).
	if fmt.Sprint(out.Outputs["visible"]) != "3" || fmt.Sprint(out.Outputs["rem"]) != "1" {
		t.Errorf("outputs %v", out.Outputs)
	}
	names, ok := step(out, "attrs").Outputs["names"].([]any)
	if !ok || len(names) == 0 {
		t.Errorf("attrs outputs %v: want a list of attribute names", step(out, "attrs").Outputs)
	}
	if len(out.Steps) != 6 {
		t.Errorf("steps %s", statuses(out))
	}
}

// assert, in its expression form and as a mapping with aws and condition,
// passing and failing.
func TestIntegrationAssert(t *testing.T) {
	src := head("asserts") + `params:
  Queue: {type: string}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}", Attributes: {VisibilityTimeout: "45"}}
    outputs:
      url: result.QueueUrl
  - name: urlOk
    assert: steps.create.url endsWith "/" + params.Queue
  - name: visibility
    assert:
      aws: sqs:GetQueueAttributes
      input: {QueueUrl: "${{ steps.create.url }}", AttributeNames: [VisibilityTimeout]}
      condition: result.Attributes["VisibilityTimeout"] == "45"
      message: visibility timeout is not 45
  - name: wrongVisibility
    assert:
      aws: sqs:GetQueueAttributes
      input: {QueueUrl: "${{ steps.create.url }}", AttributeNames: [VisibilityTimeout]}
      condition: result.Attributes["VisibilityTimeout"] == "30"
      message: visibility timeout of ${{ steps.create.url }} is not 30
    onFailure: continue
  - name: wrongUrl
    assert: steps.create.url endsWith "/other"
    message: the queue is not "other"
`
	out, err := runYAML(t, src, map[string]any{"Queue": unique("asserted")})
	if err == nil || out.Status != engine.StatusFailed || out.Failed != "wrongUrl" {
		t.Fatalf("status %s failed %q err %v; steps %s", out.Status, out.Failed, err, statuses(out))
	}
	if out.Error.Type != "AssertionFailed" || out.Error.Message != `the queue is not "other"` {
		t.Errorf("error %+v", out.Error)
	}
	for name, want := range map[string]string{"urlOk": "succeeded", "visibility": "succeeded", "wrongVisibility": "failed", "wrongUrl": "failed"} {
		if s := step(out, name); s == nil || s.Status != want {
			t.Errorf("step %s: %+v, want %s", name, s, want)
		}
	}
	wv := step(out, "wrongVisibility")
	if wv.Error == nil || wv.Error.Type != "AssertionFailed" || !strings.HasPrefix(wv.Error.Message, "visibility timeout of http") {
		t.Errorf("wrongVisibility error %+v", wv.Error)
	}
}

// sleep is a durable timer: the step lasts its duration and the history
// holds a timer.
func TestIntegrationSleep(t *testing.T) {
	h := newHarness(t)
	id, err := h.start(h.plan(head("nap")+`steps:
  - name: before
    aws: sqs:ListQueues
  - name: nap
    sleep: 1s
  - name: after
    aws: sqs:ListQueues
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	nap := step(out, "nap")
	if d := nap.End.Sub(nap.Start); d < time.Second {
		t.Errorf("nap lasted %v", d)
	}
	if after := step(out, "after"); after.Start.Before(nap.End) {
		t.Errorf("after started %v, before nap ended %v", after.Start, nap.End)
	}
	timers := 0
	it := h.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_FIRED {
			timers++
		}
	}
	if timers != 1 {
		t.Errorf("%d timers fired in the history, want 1", timers)
	}
}

// branch (first true when wins), default, goto back with maxVisits, and
// if skipping a step (whose outputs are then nil).
func TestIntegrationRouting(t *testing.T) {
	src := head("routes") + `params:
  Mode: {type: string, enum: [small, big, none]}
  Prefix: {type: string}
steps:
  - name: create
    if: params.Mode != "none"
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Prefix }}-${{ params.Mode }}"}
    outputs:
      url: result.QueueUrl
  - name: fill
    if: params.Mode == "big"
    aws: sqs:SendMessage
    input: {QueueUrl: "${{ steps.create.url }}", MessageBody: one}
  - name: count
    if: steps.create != nil
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "${{ steps.create.url }}", AttributeNames: [ApproximateNumberOfMessages]}
    outputs:
      n: int(result.Attributes["ApproximateNumberOfMessages"])
  - name: decide
    branch:
      - when: steps.count == nil
        goto: nothing
      - when: steps.count.n > 0
        goto: busy
      - when: steps.count.n >= 0
        goto: idle
    default: nothing
  - name: busy
    log: busy with ${{ steps.count.n }}
    default: done
  - name: idle
    log: idle
    default: done
  - name: nothing
    log: no queue
  - name: done
    log: done
outputs:
  created: steps.create != nil
`
	h := newHarness(t)
	prefix := unique("routes")
	for _, tt := range []struct{ mode, want string }{
		{"big", "create=succeeded fill=succeeded count=succeeded decide=succeeded busy=succeeded done=succeeded"},
		{"small", "create=succeeded fill=skipped count=succeeded decide=succeeded idle=succeeded done=succeeded"},
		{"none", "create=skipped fill=skipped count=skipped decide=succeeded nothing=succeeded done=succeeded"},
	} {
		out, err := h.run(src, map[string]any{"Mode": tt.mode, "Prefix": prefix})
		mustSucceed(t, out, err)
		if got := statuses(out); got != tt.want {
			t.Errorf("mode %s: steps %s\nwant %s", tt.mode, got, tt.want)
		}
		if out.Outputs["created"] != (tt.mode != "none") {
			t.Errorf("mode %s: outputs %v", tt.mode, out.Outputs)
		}
	}
	if msg := step(mustRun(t, h, src, map[string]any{"Mode": "big", "Prefix": prefix}), "busy").Message; msg != "busy with 2" {
		t.Errorf("busy message %q: the second run should see two messages", msg)
	}
}

func mustRun(t *testing.T, h *harness, src string, params map[string]any) *engine.Outcome {
	t.Helper()
	out, err := h.run(src, params)
	mustSucceed(t, out, err)
	return out
}

// TestIntegrationExecutionIdentity: execution.account and execution.region
// are the caller's account (sts:GetCallerIdentity, recorded once) and the
// region of the execution's calls.
func TestIntegrationExecutionIdentity(t *testing.T) {
	h := newHarness(t)
	out := mustRun(t, h, head("identity")+`steps:
  - name: say
    log: account ${{ execution.account }} in ${{ execution.region }}
outputs:
  arn: '"arn:aws:sqs:" + execution.region + ":" + execution.account + ":q"'
`, nil)
	msg := out.Steps[0].Message
	if !regexp.MustCompile(`^account [0-9]{12} in [a-z]+-[a-z]+-[0-9]$`).MatchString(msg) {
		t.Errorf("message %q", msg)
	}
	if arn, _ := out.Outputs["arn"].(string); !strings.HasPrefix(arn, "arn:aws:sqs:") || strings.Contains(arn, "::") {
		t.Errorf("arn %q", arn)
	}
}
