package steps_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

var record = flag.Bool("record", false, "record the missing histories of engine/interp/testdata/histories on the embedded server (make histories)")

// recorded are the executions whose histories the replay corpus keeps:
// every interpreter path, each a file name, a runbook (with the runbooks
// it runs) and, for approvals, what people do while it runs. Histories
// recorded by older builds stay as they are: they prove that executions
// those builds started still replay. (v0-approve-unsupported.json comes
// from the build before approve, run, forEach, http and script existed.)
// recChild is the runbook the recorded runbooks run.
var recChild = head("rec-child") + `params:
  Name: {type: string}
steps:
  - name: hello
    log: hello ${{ params.Name }}
outputs:
  said: '"hello " + params.Name'
`

var recorded = []struct {
	name, src string
	params    map[string]any
	catalog   []string
	drive     func(h *harness, id string)
	// input changes the input before the start (a dry run, a retry).
	input func(in *engine.Input)
	// worker configures the worker (a catalog).
	worker []harnessOption
}{
	{"aws-outputs-routing", head("rec-aws") + `params:
  Queue: {type: string}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
    outputs:
      url: result.QueueUrl
  - name: send
    aws: sqs:SendMessage
    input: {QueueUrl: "${{ steps.create.url }}", MessageBody: hello}
  - name: count
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "${{ steps.create.url }}", AttributeNames: [ApproximateNumberOfMessages]}
    outputs:
      n: int(result.Attributes["ApproximateNumberOfMessages"])
    branch:
      - when: steps.count.n % 2 == 1
        goto: odd
  - name: even
    fail: expected one message
  - name: odd
    assert: steps.count.n == 1
  - name: gone
    if: false
    log: skipped
outputs:
  n: steps.count.n
`, map[string]any{"Queue": "recorded"}, nil, nil, nil, nil},
	{"sleep-finally-fail", head("rec-fail") + `steps:
  - name: nap
    sleep: 1s
  - name: soft
    assert: 1 == 2
    onFailure: continue
  - name: missing
    aws: sqs:GetQueueUrl
    input: {QueueName: does-not-exist}
    onFailure: goto:giveUp
  - name: never
    log: skipped by goto
  - name: giveUp
    fail: the queue is missing
finally:
  - name: cleanup
    log: cleaned up
`, nil, nil, nil, nil, nil},
	{"waitfor-succeed", head("rec-wait") + `steps:
  - name: table
    aws: dynamodb:CreateTable
    input:
      TableName: recorded
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  - name: active
    waitFor:
      aws: dynamodb:DescribeTable
      input: {TableName: recorded}
      until: result.Table.TableStatus == "ACTIVE"
      interval: 200ms
      timeout: 1m
  - name: done
    succeed: the table is active
  - name: after
    log: never reached
`, nil, nil, nil, nil, nil},
	{"approve-foreach-run-http-script", head("rec-compose") + `params:
  URL: {type: string}
steps:
  - name: gate
    approve: {approvers: [user:alice, user:bob], minApprovals: 2, message: Proceed, timeout: 1m}
  - name: each
    forEach: '["a", "b", "c"]'
    concurrency: 2
    steps:
      - name: child
        run: rec-child@^1
        params: {Name: "${{ item }}"}
      - name: nap
        sleep: 100ms
    outputs: {said: steps.child.said}
  - name: web
    http: {url: "${{ params.URL }}"}
    outputs: {status: result.status}
  - name: sh
    script: {command: [echo, hi]}
    outputs: {out: trim(result.stdout)}
outputs:
  said: steps.each.said
`, nil, []string{recChild}, func(h *harness, id string) {
		h.waitStep(id, "gate", engine.StatusWaiting)
		h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "integration@test"}, "started this execution")
		for _, who := range []string{"alice", "bob"} {
			if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: who}); err != nil {
				h.t.Fatal(err)
			}
		}
	}, nil, nil},
	{"playbook-conclude-auto", `apiVersion: runbook/v1
kind: Playbook
name: rec-playbook
version: 1.0.0
params:
  Level: {type: int, default: 3}
start: check
nodes:
  - name: low
    conclude: {finding: low, severity: low}
  - name: check
    log: level ${{ params.Level }}
    branch:
      - when: params.Level > 2
        goto: high
    default: low
  - name: high
    conclude:
      finding: level ${{ params.Level }}
      severity: high
      recommend: {run: rec-child@^1, params: {Name: x}, auto: true}
`, nil, []string{recChild}, nil, nil, nil},
	{"cancel-finally", head("rec-cancel") + `steps:
  - name: gate
    approve: {approvers: [user:alice], timeout: 1h}
  - name: never
    log: not reached
finally:
  - name: cleanup
    log: cleaned up after the cancel
`, nil, nil, func(h *harness, id string) {
		h.waitStep(id, "gate", engine.StatusWaiting)
		if err := h.client.CancelWorkflow(context.Background(), id, ""); err != nil {
			h.t.Fatal(err)
		}
	}, nil, nil},
	{"dry-run", head("rec-dry") + `steps:
  - name: who
    aws: sts:GetCallerIdentity
  - name: gate
    approve: {approvers: [user:alice], timeout: 1h}
  - name: make
    aws: sqs:CreateQueue
    input: {QueueName: recorded-dry}
  - name: nap
    sleep: 1h
  - name: sh
    script: {command: [touch, /tmp/recorded-dry]}
`, nil, nil, nil, func(in *engine.Input) { in.DryRun = true }, nil},
	{"retry-reuse", head("rec-retry") + `steps:
  - name: first
    log: done before
    outputs: {n: 1}
  - name: second
    assert: steps.first.n == 1
`, nil, nil, nil, func(in *engine.Input) {
		in.Trigger, in.RetryOf, in.Reuse = "retry", "rec-retry-0", map[string]map[string]any{"first": {"n": 1}}
	}, nil},
	{"retry-retrier-not-approver", head("rec-retrier") + `steps:
  - name: gate
    approve: {approvers: [user:alice, user:bob, user:carol], timeout: 1h}
`, nil, nil, func(h *harness, id string) {
		h.waitStep(id, "gate", engine.StatusWaiting)
		h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "bob"}, "bob retried this execution")
		h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "carol"}, "carol started this execution")
		if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
			h.t.Fatal(err)
		}
	}, func(in *engine.Input) {
		in.StartedBy, in.RetriedBy, in.Trigger, in.RetryOf = "carol", "bob", "retry", "rec-retrier-0"
	}, nil},
	{"identity-fold", head("rec-fold") + `steps:
  - name: gate
    approve: {approvers: [user:alice, user:carol], timeout: 1h}
`, nil, nil, func(h *harness, id string) {
		h.waitStep(id, "gate", engine.StatusWaiting)
		h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: " Carol"}, "started this execution")
		if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "ALICE"}); err != nil {
			h.t.Fatal(err)
		}
	}, func(in *engine.Input) { in.StartedBy = "carol" }, nil},
	{"execution-identity", head("rec-identity") + `steps:
  - name: say
    log: account ${{ execution.account }} in ${{ execution.region }}
`, nil, nil, nil, nil, nil},
	{"self-outputs-bound-approval-secret", head("rec-bound") + `params:
  Token: {type: string, secret: true, default: tok-recorded-1}
steps:
  - name: calc
    log: token ${{ params.Token }}
    outputs: {n: 2, m: steps.calc.n * 3}
  - name: gate
    approve: {approvers: [user:alice], message: "Apply ${{ steps.calc.m }}?", timeout: 1m}
outputs:
  m: steps.calc.m
  token: {value: params.Token, secret: true}
`, nil, nil, func(h *harness, id string) {
		a := h.waitStep(id, "gate", engine.StatusWaiting).Approval
		h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Request: "0000000000000000"}, "not what waits")
		if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Request: a.Request}); err != nil {
			h.t.Fatal(err)
		}
	}, nil, nil},
	// Admitted (on a worker without a catalog: the verdict is recorded all
	// the same), with a child execution, admitted as a child.
	{"catalog-admitted-child", head("rec-admitted") + `steps:
  - name: kid
    run: rec-child@^1
    params: {Name: admitted}
`, nil, []string{recChild}, nil, nil, nil},
	// A child whose definition names its task queue runs there (a second
	// worker polls it).
	{"child-task-queue", head("rec-queued") + `steps:
  - name: kid
    run: rec-pool-child@^1
    params: {Name: pooled}
`, nil, []string{strings.Replace(recChild, "rec-child", "rec-pool-child", 1) + "taskQueue: pool-b\n"}, nil, nil, []harnessOption{withQueues("pool-b")}},
	// Human steps: a manual step marked done after a refused attempt and
	// a reminder, a question answered (a bad answer refused first), a
	// question nobody answers taking its default, a dry run's skips.
	{"manual-ask", head("rec-human") + `params:
  URL: {type: string}
steps:
  - name: drain
    manual:
      instructions: Drain it.
      checklist: [Drained]
      assignees: [user:alice]
      remind: 1s
      notify: {http: {url: "${{ params.URL }}"}}
  - name: saw
    ask:
      question: Errors?
      fields:
        errors: {type: string, enum: ["yes", "no"]}
        count: {type: int, default: 0}
  - name: later
    ask:
      question: Anything else?
      fields:
        more: {type: bool}
      timeout: 1s
      default: {more: false}
outputs:
  by: steps.drain.by
  errors: steps.saw.errors
  more: steps.later.more
`, nil, nil, func(h *harness, id string) {
		h.waitStep(id, "drain", engine.StatusWaiting)
		h.mustRefuse(id, engine.UpdateDone, engine.Decision{Identity: "bob", Checked: []string{"Drained"}}, "not among")
		time.Sleep(1500 * time.Millisecond) // a reminder
		if _, err := h.decide(id, engine.UpdateDone, engine.Decision{Identity: "alice", Checked: []string{"Drained"}, Comment: "ok"}); err != nil {
			h.t.Fatal(err)
		}
		h.waitStep(id, "saw", engine.StatusWaiting)
		h.mustRefuse(id, engine.UpdateAnswer, engine.Decision{Identity: "bob", Answer: map[string]any{"errors": "maybe"}}, "field errors")
		if _, err := h.decide(id, engine.UpdateAnswer, engine.Decision{Identity: "bob", Answer: map[string]any{"errors": "no"}}); err != nil {
			h.t.Fatal(err)
		}
	}, nil, nil},
	{"manual-ask-dry-run", head("rec-human-dry") + `steps:
  - name: drain
    manual: {instructions: Drain it.}
  - name: saw
    ask:
      question: Errors?
      fields:
        errors: {type: string, enum: ["yes", "no"], default: "no"}
outputs:
  errors: steps.saw.errors
`, nil, nil, nil, func(in *engine.Input) { in.DryRun = true }, nil},
	// Definition-level notify: started and failed to an http hook, a page
	// that fails (the worker has no routing key for the service), both
	// linking to the execution's page.
	{"notify-events", head("rec-notify") + `params:
  URL: {type: string}
notify:
  - http: {url: "${{ params.URL }}"}
    on: [started, failed, succeeded]
  - pagerduty: {service: payments}
steps:
  - name: check
    assert: params.URL == ""
    message: the hook is set
`, nil, nil, nil, nil, []harnessOption{withInterp(interp.WithPublicURL("https://runbook.example.com"))}},
	// Refused by a worker whose catalog lacks the plan: nothing runs.
	{"catalog-refused", head("rec-refused") + `steps:
  - name: sh
    script: {command: [touch, /tmp/recorded-refused]}
finally:
  - name: cleanup
    log: never runs
`, nil, nil, nil, nil, []harnessOption{withCatalog(interp.NewCatalog(nil, nil))}},
}

// TestRecordHistories re-records the replay corpus (engine/testdata/
// histories) from real executions on the embedded server and kumo. It runs
// only with -record: `make histories`. TestReplay in the engine package
// replays the corpus against the current interpreter.
func TestRecordHistories(t *testing.T) {
	if !*record {
		t.Skip("run with -record (make histories) to re-record the replay corpus")
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer web.Close()
	for _, r := range recorded {
		path := filepath.Join("..", "engine", "interp", "testdata", "histories", r.name+".json")
		if _, err := os.Stat(path); err == nil {
			continue
		}
		h := newHarness(t, r.worker...)
		params := r.params
		if strings.Contains(r.src, "params.URL") {
			params = map[string]any{"URL": web.URL}
		}
		id, err := h.startWith(h.plan(r.src, r.catalog...), params, r.input)
		if err != nil {
			t.Fatal(err)
		}
		if r.drive != nil {
			r.drive(h, id)
		}
		if out, err := h.wait(id); err != nil && r.drive != nil && out.Status != engine.StatusCancelled {
			t.Fatalf("%s: %v", r.name, err)
		}
		hist := &historypb.History{}
		it := h.client.GetWorkflowHistory(context.Background(), id, "", false, 0)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			hist.Events = append(hist.Events, ev)
		}
		raw, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d events", path, len(hist.Events))
	}
}
