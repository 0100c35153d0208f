package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

const rerunBook = `apiVersion: runbook/v1
kind: Runbook
name: rerun
version: 1.0.0
params:
  Made: {type: string}
  Needed: {type: string}
steps:
  - name: make
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Made }}"}
    outputs: {url: result.QueueUrl}
  - name: gate
    approve: {approvers: [user:alice, user:bob, user:carol], timeout: 1m}
  - name: optional
    if: false
    log: skipped
  - name: need
    aws: sqs:GetQueueUrl
    input: {QueueName: "${{ params.Needed }}"}
  - name: done
    log: made ${{ steps.make.url }}
`

// TestIntegrationRetryFrom: a retry reuses the outputs recorded before the
// failed step (the queue is not created again), asks for approval again
// (neither the first requester nor the retrier may give it), and runs
// the failed step for real.
func TestIntegrationRetryFrom(t *testing.T) {
	h := newHarness(t)
	params := map[string]any{"Made": unique("made"), "Needed": unique("needed")}
	p := h.plan(rerunBook)
	id, err := h.startAs(p, params, "carol")
	if err != nil {
		t.Fatal(err)
	}
	h.waitStep(id, "gate", engine.StatusWaiting)
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	if err == nil || out.Failed != "need" {
		t.Fatalf("first run: %+v %v", out, err)
	}
	cfg, _ := config.LoadDefaultConfig(context.Background())
	if _, err := sqs.NewFromConfig(cfg).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(params["Needed"].(string))}); err != nil {
		t.Fatal(err)
	}
	checked, _ := engine.CheckParams(p, params)
	in, err := interp.RetryInput(steps.All(), engine.Input{Plan: p, Params: checked, StartedBy: "carol"}, out, id, "", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := in.Reuse["gate"]; ok || len(in.Reuse) != 2 {
		t.Fatalf("reuse %v: make and optional, never an approval", in.Reuse)
	}
	opts, _ := interp.StartOptions(in, id+"-retry")
	run, err := h.client.ExecuteWorkflow(context.Background(), opts, engine.WorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	h.waitStep(run.GetID(), "gate", engine.StatusWaiting)
	h.mustRefuse(run.GetID(), engine.UpdateApprove, engine.Decision{Identity: "carol"}, "carol started this execution")
	h.mustRefuse(run.GetID(), engine.UpdateApprove, engine.Decision{Identity: "bob"}, "bob retried this execution")
	if _, err := h.decide(run.GetID(), engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(run.GetID())
	mustSucceed(t, out, err)
	if r := step(out, "make"); !strings.HasPrefix(r.Message, "reused from "+id) || r.Outputs["url"] == nil {
		t.Errorf("make %+v", r)
	}
	if n := h.aws.count("CreateQueue"); n != 1 {
		t.Errorf("CreateQueue sent %d times: the retry must reuse it", n)
	}
	if !strings.Contains(step(out, "done").Message, params["Made"].(string)) {
		t.Errorf("done %+v: reads the reused output", step(out, "done"))
	}
	if _, err := interp.RetryInput(steps.All(), engine.Input{Plan: p}, out, id, "nope", "bob"); err == nil || !strings.Contains(err.Error(), "no top-level step nope") {
		t.Errorf("--from nope: %v", err)
	}
}
