package steps_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

var record = flag.Bool("record", false, "re-record engine/testdata/histories on the embedded server (make histories)")

// recorded are the executions whose histories the replay corpus keeps:
// every interpreter path of this build, each a file name and a runbook.
var recorded = []struct {
	name, src string
	params    map[string]any
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
`, map[string]any{"Queue": "recorded"}},
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
`, nil},
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
`, nil},
}

// TestRecordHistories re-records the replay corpus (engine/testdata/
// histories) from real executions on the embedded server and kumo. It runs
// only with -record: `make histories`. TestReplay in the engine package
// replays the corpus against the current interpreter.
func TestRecordHistories(t *testing.T) {
	if !*record {
		t.Skip("run with -record (make histories) to re-record the replay corpus")
	}
	for _, r := range recorded {
		h := newHarness(t)
		id, err := h.start(h.plan(r.src), r.params)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = h.wait(id)
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
		path := filepath.Join("..", "engine", "testdata", "histories", r.name+".json")
		if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d events", path, len(hist.Events))
	}
}
