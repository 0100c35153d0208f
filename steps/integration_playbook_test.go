package steps_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/runbook-dev/runbook/engine"
)

const (
	backlogBook = `apiVersion: runbook/v1
kind: Playbook
name: backlog
version: 1.0.0
params:
  Queue: {type: string}
start: look
nodes:
  - name: quiet
    conclude:
      finding: only ${{ steps.count.n }} message
      severity: info
      recommend: {run: drain@^1, params: {Queue: "${{ params.Queue }}"}}
  - name: look
    aws: sqs:GetQueueUrl
    input: {QueueName: "${{ params.Queue }}"}
    outputs: {url: result.QueueUrl}
    default: count
  - name: count
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "${{ steps.look.url }}", AttributeNames: [ApproximateNumberOfMessages]}
    outputs:
      n: int(result.Attributes["ApproximateNumberOfMessages"])
    branch:
      - when: steps.count.n > 1 && params.Queue != ""
        goto: flood
    default: quiet
  - name: flood
    conclude:
      finding: ${{ steps.count.n }} messages waiting
      severity: high
      recommend: {run: drain@^1, params: {Queue: "${{ params.Queue }}"}, auto: true}
`
	drainBook = `apiVersion: runbook/v1
kind: Runbook
name: drain
version: 1.0.0
params:
  Queue: {type: string}
steps:
  - name: gate
    approve: {approvers: [user:oncall, user:integration@test], timeout: 1m}
  - name: url
    aws: sqs:GetQueueUrl
    input: {QueueName: "${{ params.Queue }}"}
    outputs: {url: result.QueueUrl}
  - name: purge
    aws: sqs:PurgeQueue
    input: {QueueUrl: "${{ steps.url.url }}"}
`
)

// TestIntegrationPlaybook: a playbook runs from its start node, routes on
// what it saw, and concludes with a finding, the evidence and a pinned
// recommendation: the command to launch it, or (auto) the child launched,
// which its requester may not approve.
func TestIntegrationPlaybook(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(cfg)
	queue := func(n int) string {
		name := unique("backlog")
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for range n {
			if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("m")}); err != nil {
				t.Fatal(err)
			}
		}
		return name
	}
	p := h.plan(backlogBook, drainBook)

	quiet := queue(1)
	out, err := h.wait(mustStart(t, h, p, quiet))
	mustSucceed(t, out, err)
	f := out.Finding
	if f == nil || f.Node != "quiet" || f.Severity != "info" || f.Finding != "only 1 message" || strings.Join(out.Path, ",") != "look,count,quiet" {
		t.Fatalf("finding %+v, path %v", f, out.Path)
	}
	if r := f.Recommend; r == nil || r.Run != "drain@1.0.0" || r.Command != "runbook run drain@1.0.0 -p Queue="+quiet || r.Execution != "" {
		t.Errorf("recommendation %+v", f.Recommend)
	}
	if len(f.Evidence) != 2 || f.Evidence[0].Result || f.Evidence[0].Values["steps.count.n"] != 1.0 || f.Evidence[1].Condition != "default" {
		t.Errorf("evidence %s", mustJSON(f.Evidence))
	}

	flood := queue(3)
	id := mustStart(t, h, p, flood)
	out, err = h.wait(id)
	mustSucceed(t, out, err)
	f = out.Finding
	if f.Node != "flood" || f.Severity != "high" || f.Evidence[0].Condition != `steps.count.n > 1 && params.Queue != ""` || !f.Evidence[0].Result ||
		f.Evidence[0].Values["steps.count.n"] != 3.0 || f.Evidence[0].Values["params.Queue"] != flood {
		t.Errorf("finding %s", mustJSON(f))
	}
	child := f.Recommend.Execution
	if child != id+"/flood" {
		t.Fatalf("auto recommendation %+v", f.Recommend)
	}
	h.waitStep(child, "gate", engine.StatusWaiting)
	h.mustRefuse(child, engine.UpdateApprove, engine.Decision{Identity: "integration@test"}, "started this execution")
	if _, err := h.decide(child, engine.UpdateApprove, engine.Decision{Identity: "oncall"}); err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(child)
	mustSucceed(t, out, err)
}

func mustStart(t *testing.T, h *harness, p *engine.Plan, queue string) string {
	t.Helper()
	id, err := h.start(p, map[string]any{"Queue": queue})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
