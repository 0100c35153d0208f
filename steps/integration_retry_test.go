package steps_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// Throttling answered by the transport for the first two requests: a
// read-only call is retried by the activity's policy and succeeds on its
// third attempt; a mutating call without an idempotency token is tried
// once and fails with the throttling code; one with a token (filled by
// the engine) is retried; an explicit retry overrides the default.
func TestIntegrationRetryThrottling(t *testing.T) {
	t.Run("read-only", func(t *testing.T) {
		h := newHarness(t, withThrottle("ListQueues", 2))
		t0 := time.Now()
		out, err := h.run(head("throttled-read")+`steps:
  - name: list
    aws: sqs:ListQueues
`, nil)
		mustSucceed(t, out, err)
		if got := strings.Join(h.aws.ops(), " "); got != "ListQueues@us-east-1! ListQueues@us-east-1! ListQueues@us-east-1" {
			t.Errorf("calls %s: want two throttled, then one through", got)
		}
		// The default policy waits 1s, then 2s, between attempts.
		if d := time.Since(t0); d < 3*time.Second {
			t.Errorf("took %v: the retries did not back off", d)
		}
	})
	t.Run("mutating without token", func(t *testing.T) {
		h := newHarness(t, withThrottle("CreateQueue", 2))
		src := head("throttled-write") + `params:
  Queue: {type: string}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
`
		out, err := h.run(src, map[string]any{"Queue": unique("throttled")})
		if err == nil || out.Failed != "create" || out.Error.Type != "ThrottlingException" || !strings.Contains(out.Error.Message, "Rate exceeded") {
			t.Fatalf("status %s at %q: %+v (%v)", out.Status, out.Failed, out.Error, err)
		}
		if n := h.aws.count("CreateQueue"); n != 1 {
			t.Fatalf("%d CreateQueue requests, want 1: a mutating call without a token is not retried", n)
		}
		// An explicit retry does retry it: one more throttled answer, then through.
		out, err = h.run(strings.Replace(src, "    input:", "    retry: {maxAttempts: 2, interval: 100ms}\n    input:", 1), map[string]any{"Queue": unique("retried")})
		mustSucceed(t, out, err)
		if n := h.aws.count("CreateQueue"); n != 3 {
			t.Errorf("%d CreateQueue requests in all, want 3", n)
		}
	})
	t.Run("mutating with token", func(t *testing.T) {
		h := newHarness(t, withThrottle("CreateSecret", 2))
		out, err := h.run(head("throttled-token")+`params:
  Name: {type: string}
steps:
  - name: create
    aws: secretsmanager:CreateSecret
    input: {Name: "${{ params.Name }}", SecretString: s3cr3t}
    outputs:
      arn: result.ARN
`, map[string]any{"Name": unique("secret")})
		mustSucceed(t, out, err)
		if n := h.aws.count("CreateSecret"); n != 3 {
			t.Errorf("%d CreateSecret requests, want 3", n)
		}
	})
}

// waitFor against a table that really changes state: dynalite keeps a new
// table CREATING for 1.5s. Only DynamoDB goes to dynalite (through
// AWS_ENDPOINT_URL_DYNAMODB); the wait polls every 200ms in one activity
// until the table is ACTIVE.
func TestIntegrationWaitForDynalite(t *testing.T) {
	dyn := startDynalite(t, 1500)
	h := newHarness(t, withEnv("AWS_ENDPOINT_URL_DYNAMODB", dyn))
	out, err := h.run(head("table")+`params:
  Table: {type: string}
steps:
  - name: create
    aws: dynamodb:CreateTable
    input:
      TableName: ${{ params.Table }}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
    outputs:
      status: result.TableDescription.TableStatus
      arn: result.TableDescription.TableArn
  - name: wasCreating
    assert: steps.create.status == "CREATING"
    message: the new table is ${{ steps.create.status }}
  - name: active
    waitFor:
      aws: dynamodb:DescribeTable
      input: {TableName: "${{ params.Table }}"}
      until: result.Table.TableStatus == "ACTIVE"
      interval: 200ms
      timeout: 30s
    outputs:
      status: result.Table.TableStatus
  - name: write
    aws: dynamodb:PutItem
    input:
      TableName: ${{ params.Table }}
      Item: {pk: {S: marker}}
  - name: queues
    aws: sqs:ListQueues
outputs:
  arn: steps.create.arn
  status: steps.active.status
`, map[string]any{"Table": "waited"})
	mustSucceed(t, out, err)
	active := step(out, "active")
	if d := active.End.Sub(active.Start); d < time.Second {
		t.Errorf("the wait took %v; the table stays CREATING for 1.5s", d)
	}
	if n := h.aws.count("DescribeTable"); n < 4 {
		t.Errorf("%d polls; want several at 200ms over 1.5s", n)
	}
	if out.Outputs["status"] != "ACTIVE" || !strings.HasSuffix(out.Outputs["arn"].(string), ":table/waited") {
		t.Errorf("outputs %v", out.Outputs)
	}
	du, _ := url.Parse(dyn)
	for _, c := range h.aws.all() {
		dynamo := c.Op != "ListQueues"
		if dynamo != (c.Host == du.Host) {
			t.Errorf("%s went to %s (dynalite is %s)", c.Op, c.Host, du.Host)
		}
	}
	t.Logf("waited %v, %d DescribeTable polls", active.End.Sub(active.Start).Round(time.Millisecond), h.aws.count("DescribeTable"))
}
