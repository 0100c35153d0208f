package steps_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/runbook-dev/runbook/engine"
)

const (
	childBook = `apiVersion: runbook/v1
kind: Runbook
name: make-queue
version: 1.2.0
params:
  Name: {type: string}
steps:
  - name: gate
    approve: {approvers: [user:integration@test, user:dave], timeout: 1m}
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Name }}"}
    outputs: {url: result.QueueUrl}
outputs:
  url: steps.create.url
  name: params.Name
`
	parentBook = `apiVersion: runbook/v1
kind: Runbook
name: parent
version: 1.0.0
params:
  Name: {type: string}
steps:
  - name: make
    run: make-queue@^1
    params: {Name: "${{ params.Name }}-x"}
  - name: shaped
    run: make-queue@~1.2
    params: {Name: "${{ params.Name }}-y"}
    outputs: {upper: upper(result.name)}
outputs:
  url: steps.make.url
  upper: steps.shaped.upper
`
)

// TestIntegrationChildRunbook: a run step starts the pinned child as a
// child workflow; the requester can't approve the child either; the
// child's outputs flow back.
func TestIntegrationChildRunbook(t *testing.T) {
	h := newHarness(t)
	name := unique("child")
	id, err := h.start(h.plan(parentBook, childBook), map[string]any{"Name": name})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"make", "shaped"} {
		child := h.waitStep(id, step, engine.StatusRunning).Execution
		if child != id+"/"+step+"#1" {
			t.Fatalf("child execution %q", child)
		}
		h.waitStep(child, "gate", engine.StatusWaiting)
		h.mustRefuse(child, engine.UpdateApprove, engine.Decision{Identity: "integration@test"}, "integration@test started this execution")
		if _, err := h.decide(child, engine.UpdateApprove, engine.Decision{Identity: "dave"}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	if url, _ := out.Outputs["url"].(string); !strings.HasSuffix(url, "/"+name+"-x") {
		t.Errorf("url %v: the child's output must flow back", out.Outputs["url"])
	}
	if out.Outputs["upper"] != strings.ToUpper(name+"-y") {
		t.Errorf("upper %v: the step's outputs read the child's as result", out.Outputs["upper"])
	}
}

// TestIntegrationChildCancel: cancelling the parent cancels the child,
// and the parent waits for it to end.
func TestIntegrationChildCancel(t *testing.T) {
	h := newHarness(t)
	id, err := h.start(h.plan(parentBook, childBook), map[string]any{"Name": unique("cancel")})
	if err != nil {
		t.Fatal(err)
	}
	child := h.waitStep(id, "make", engine.StatusRunning).Execution
	h.waitStep(child, "gate", engine.StatusWaiting)
	if err := h.client.CancelWorkflow(context.Background(), id, ""); err != nil {
		t.Fatal(err)
	}
	if out, _ := h.wait(id); out.Status != engine.StatusCancelled {
		t.Errorf("parent %s", out.Status)
	}
	d, err := h.client.DescribeWorkflowExecution(context.Background(), child, "")
	if err != nil {
		t.Fatal(err)
	}
	if st := d.WorkflowExecutionInfo.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Errorf("child %s after the parent was cancelled", st)
	}
}

const loop = `apiVersion: runbook/v1
kind: Runbook
name: loop
version: 1.0.0
params:
  Queues: {type: list, items: string}
steps:
  - name: each
    forEach: params.Queues
    concurrency: 3
    maxErrors: 1
    steps:
      - name: pause
        sleep: 1s
      - name: url
        aws: sqs:GetQueueUrl
        input: {QueueName: "${{ item }}"}
        outputs: {url: result.QueueUrl}
    outputs:
      url: steps.url.url
      index: index
`

// TestIntegrationForEach: concurrency 3 runs three items at once;
// maxErrors 1 tolerates one failed item and stops starting items after
// the second.
func TestIntegrationForEach(t *testing.T) {
	h := newHarness(t)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(cfg)
	var queues []any
	for i := range 10 {
		q := unique(fmt.Sprintf("loop%d", i))
		queues = append(queues, q)
		if i == 2 || i == 5 { // missing: GetQueueUrl fails
			continue
		}
		if _, err := sq.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(q)}); err != nil {
			t.Fatal(err)
		}
	}

	// One failure is tolerated; outputs come per item, in order.
	tolerant := append(append([]any{}, queues[:5]...), queues[6:]...)
	out, err := h.run(loop, map[string]any{"Queues": tolerant})
	mustSucceed(t, out, err)
	rec := step(out, "each")
	list, _ := rec.Outputs["url"].([]any)
	if len(list) != 9 || list[2] != nil {
		t.Fatalf("urls %v: want 9, nil for the failed item 2", rec.Outputs["url"])
	}
	for i, u := range list {
		if i != 2 && !strings.HasSuffix(fmt.Sprint(u), "/"+tolerant[i].(string)) {
			t.Errorf("url %d = %v, want item %d's queue", i, u, i)
		}
	}
	if got := maxOverlap(out, "each[", ".pause"); got != 3 {
		t.Errorf("%d items paused at once, want concurrency 3", got)
	}

	// A second failure stops the loop: no item starts after it.
	out, err = h.run(loop, map[string]any{"Queues": queues})
	if err == nil || out.Failed != "each" || out.Error.Type != "ItemsFailed" || !strings.Contains(out.Error.Message, "2 items failed (maxErrors 1)") {
		t.Fatalf("outcome %+v, %v", out.Error, err)
	}
	started := map[string]bool{}
	for _, r := range out.Steps {
		if i := strings.Index(r.Name, "]."); i > 0 {
			started[r.Name[:i+1]] = true
		}
	}
	for _, item := range []string{"each[0]", "each[5]"} {
		if !started[item] {
			t.Errorf("%s did not run", item)
		}
	}
	for _, item := range []string{"each[8]", "each[9]"} {
		if started[item] {
			t.Errorf("%s ran after the error budget was spent", item)
		}
	}
}

// maxOverlap counts the most records named PREFIX...SUFFIX running at one
// time.
func maxOverlap(out *engine.Outcome, prefix, suffix string) int {
	var spans [][2]time.Time
	for _, r := range out.Steps {
		if strings.HasPrefix(r.Name, prefix) && strings.HasSuffix(r.Name, suffix) {
			spans = append(spans, [2]time.Time{r.Start, r.End})
		}
	}
	best := 0
	for _, a := range spans {
		n := 0
		for _, b := range spans {
			if !b[0].After(a[0]) && b[1].After(a[0]) {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// TestIntegrationChildHidesParentSecret: a parent's secret passed into a
// child's plain param stays hidden in the child's messages: the child's
// input carries it as a secret to hide (and is sealed).
func TestIntegrationChildHidesParentSecret(t *testing.T) {
	const child = `apiVersion: runbook/v1
kind: Runbook
name: leaky-child
version: 1.0.0
params:
  Value: {type: string}
steps:
  - name: say
    log: got ${{ params.Value }}
`
	const parent = `apiVersion: runbook/v1
kind: Runbook
name: secret-parent
version: 1.0.0
params:
  Token: {type: string, secret: true}
steps:
  - name: call
    run: leaky-child@^1
    params: {Value: "${{ params.Token }}"}
`
	h := newHarness(t)
	id, err := h.start(h.plan(parent, child), map[string]any{"Token": "tok-parent-5150"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	sub, err := h.wait(out.Steps[0].Execution)
	mustSucceed(t, sub, err)
	if msg := sub.Steps[0].Message; msg != "got ***" {
		t.Errorf("the child's log says %q", msg)
	}
}
