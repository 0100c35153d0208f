package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/runbook-dev/runbook/engine"
)

const (
	// e2eTableCheck reads the table its alarm names and concludes.
	e2eTableCheck = `apiVersion: runbook/v1
kind: Playbook
name: table-check
version: 1.0.0
triggers:
  - alarm: "orders-*-throttled"
    params:
      TableName: alarm.metric.dimensions.TableName
params:
  TableName: {type: string}
start: describe
nodes:
  - name: describe
    aws: dynamodb:DescribeTable
    input: {TableName: "${{ params.TableName }}"}
    outputs: {status: result.Table.TableStatus}
    default: done
  - name: done
    conclude:
      finding: Table ${{ params.TableName }} is ${{ steps.describe.status }}.
      severity: info
`
	// e2ePayments and e2eRecovered must not start for an orders alarm:
	// their alarm glob, their state differ.
	e2ePayments = `apiVersion: runbook/v1
kind: Playbook
name: payments-check
version: 1.0.0
triggers:
  - alarm: "payments-*"
start: done
nodes:
  - name: done
    conclude: {finding: payments, severity: info}
`
	e2eRecovered = `apiVersion: runbook/v1
kind: Playbook
name: orders-recovered
version: 1.0.0
triggers:
  - alarm: "orders-*-throttled"
    state: OK
start: done
nodes:
  - name: done
    conclude: {finding: recovered, severity: info}
`
)

// snsAlarm is an SNS Notification, signed now (version 2), of alarm name
// entering ALARM at at, its metric's TableName dimension table.
func (e *e2e) snsAlarm(name, table string, at time.Time) *SNSMessage {
	msg, _ := json.Marshal(map[string]any{
		"AlarmName": name, "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + name,
		"AWSAccountId": "123456789012", "NewStateValue": "ALARM", "OldStateValue": "OK",
		"NewStateReason": "Threshold Crossed", "StateChangeTime": at.UTC().Format("2006-01-02T15:04:05.000-0700"),
		"Region": "EU (Ireland)",
		"Trigger": map[string]any{"MetricName": "ThrottledRequests", "Namespace": "AWS/DynamoDB",
			"Dimensions": []map[string]string{{"name": "TableName", "value": table}}},
	})
	m := &SNSMessage{
		Type: SNSNotification, MessageId: "e2e-" + name, TopicArn: "arn:aws:sns:eu-west-1:123456789012:runbook-alarms",
		Subject: "ALARM: " + name, Message: string(msg), Timestamp: snsTime(time.Now()), SigningCertURL: e.sns.url("/cert.pem"),
	}
	e.sns.sign(m, "2")
	return m
}

// postSNS delivers m to the SNS hook as SNS does.
func (e *e2e) postSNS(m *SNSMessage) e2eAnswer {
	e.tb.Helper()
	body, _ := json.Marshal(m)
	return e.do("POST", "/v1/hooks/sns", body, "Content-Type", "text/plain; charset=UTF-8", "X-Amz-Sns-Message-Type", m.Type)
}

// TestE2ESNSAlarm: a signed SNS notification of a CloudWatch alarm starts
// the one playbook whose trigger matches, under the episode's ID, with the
// param its trigger reads from the alarm; the playbook reads the table in
// the emulator and concludes. A repeated delivery, after the end, answers
// duplicate with the same ID and starts no second run.
func TestE2ESNSAlarm(t *testing.T) {
	e := newE2E(t, e2eTableCheck, e2ePayments, e2eRecovered)
	table := fmt.Sprintf("orders-e2e-%d", time.Now().UnixNano()) // kumo's tables are the process's
	_, err := dynamodb.NewFromConfig(e.aws).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	name := "orders-eu-throttled"
	episode := "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + name + "/2026-11-26T10:00:00Z"
	id := "table-check/" + episode
	m := e.snsAlarm(name, table, at)

	h := e.accepted(e.postSNS(m))
	want := []Started{{Definition: "table-check", ID: id, Status: "started"}}
	if !reflect.DeepEqual(h.Executions, want) || h.Alarm != name || h.State != "ALARM" || h.Episode != episode || h.Errors != nil {
		t.Fatalf("answer %+v, want executions %+v for episode %s", h, want, episode)
	}
	out := e.wait(id)
	if out.Status != engine.StatusSucceeded || out.Finding == nil || out.Finding.Finding != "Table "+table+" is ACTIVE." ||
		strings.Join(out.Path, ",") != "describe,done" {
		t.Fatalf("outcome %s, path %v, finding %+v", out.Status, out.Path, out.Finding)
	}
	in := e.input(id)
	if in.Params["TableName"] != table || in.Trigger != "alarm" || in.StartedBy != "hook:sns" || in.Alarm["name"] != name {
		t.Errorf("input params %v, trigger %q, started by %q, alarm %v", in.Params, in.Trigger, in.StartedBy, in.Alarm["name"])
	}
	first, err := e.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}

	h = e.accepted(e.postSNS(m))
	want[0].Status = "duplicate"
	if !reflect.DeepEqual(h.Executions, want) {
		t.Errorf("repeated delivery: executions %+v, want %+v", h.Executions, want)
	}
	again, err := e.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	if r1, r2 := first.WorkflowExecutionInfo.Execution.RunId, again.WorkflowExecutionInfo.Execution.RunId; r1 != r2 {
		t.Errorf("the repeated delivery started run %s after %s", r2, r1)
	}
	e.absent("payments-check/"+episode, "orders-recovered/"+episode)
	e.waitCount("", 1, 10*time.Second)

	// The API shows it, its ID (with slashes) escaped in the path.
	a := e.as("carol", "GET", "/v1/executions/"+url.PathEscape(id), nil)
	var x Execution
	if a.status != 200 || json.Unmarshal(a.body, &x) != nil || x.ID != id || x.Definition != "table-check@1.0.0" ||
		x.Status != "completed" || x.Trigger != "alarm" || x.Outcome == nil || x.Outcome.Finding == nil {
		t.Errorf("GET the execution: %d %s", a.status, a.body)
	}
}

const (
	// e2eDiskCheck has no trigger: the routing file sends alarms to it.
	e2eDiskCheck = `apiVersion: runbook/v1
kind: Runbook
name: disk-check
version: 1.2.0
params:
  VolumeId: {type: string}
steps:
  - name: look
    log: checking ${{ params.VolumeId }}
`
	e2eRoutes = `apiVersion: runbook/v1
kind: Routing
name: e2e-routes
routes:
  - alarm: "*-disk-full"
    run: disk-check@^1
    params:
      VolumeId: alarm.metric.dimensions.VolumeId
    cooldown: 1m
`
	e2eCPUCheck = `apiVersion: runbook/v1
kind: Playbook
name: cpu-check
version: 1.0.0
triggers:
  - alarm: "web-cpu-*"
    region: us-east-1
    params:
      InstanceId: alarm.metric.dimensions.InstanceId
params:
  InstanceId: {type: string}
start: done
nodes:
  - name: done
    conclude: {finding: "CPU high on ${{ params.InstanceId }}", severity: medium}
`
)

// TestE2ERoutes: the generic hook, signed, starts the definition a
// routing file routes its alarm to, with the route's params; the same
// episode again is a duplicate; the alarm's next episode within the
// route's cooldown answers cooldown and starts nothing, while another
// alarm on the same route starts. The EventBridge hook, with a bearer
// token, starts the definition whose trigger matches its event.
func TestE2ERoutes(t *testing.T) {
	e := newE2E(t, e2eDiskCheck, e2eRoutes, e2eCPUCheck)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	disk := func(name string, at time.Time) Alarm {
		return Alarm{Name: name, State: "ALARM", Time: at, Metric: Metric{Dimensions: map[string]string{"VolumeId": "vol-" + name}}}
	}
	id := "disk-check/generic:data-disk-full/2026-11-26T10:00:00Z"
	want := []Started{{Definition: "disk-check", ID: id, Status: "started"}}
	if h := e.accepted(e.generic(disk("data-disk-full", at))); !reflect.DeepEqual(h.Executions, want) {
		t.Fatalf("first episode: %+v, want %+v", h, want)
	}
	out := e.wait(id)
	if out.Status != engine.StatusSucceeded || len(out.Steps) != 1 || out.Steps[0].Message != "checking vol-data-disk-full" {
		t.Errorf("outcome %s, steps %+v", out.Status, out.Steps)
	}
	if in := e.input(id); in.Trigger != "alarm" || in.StartedBy != "hook:generic" || in.Plan.Version != "1.2.0" {
		t.Errorf("input trigger %q, started by %q, version %s", in.Trigger, in.StartedBy, in.Plan.Version)
	}
	want[0].Status = "duplicate"
	if h := e.accepted(e.generic(disk("data-disk-full", at))); !reflect.DeepEqual(h.Executions, want) {
		t.Errorf("the same episode again: %+v, want %+v", h.Executions, want)
	}
	next := at.Add(2 * time.Minute)
	want = []Started{{Definition: "disk-check", Status: "cooldown"}}
	if h := e.accepted(e.generic(disk("data-disk-full", next))); !reflect.DeepEqual(h.Executions, want) {
		t.Errorf("the next episode within the cooldown: %+v, want %+v", h.Executions, want)
	}
	e.absent("disk-check/generic:data-disk-full/2026-11-26T10:02:00Z")
	// Another alarm on the route starts; its name holds a slash, as AWS's
	// auto-scaling alarms' do ("TargetTracking-table/NAME-..."), which "*"
	// matches too.
	other := "disk-check/generic:TargetTracking-volume/logs-disk-full/2026-11-26T10:02:00Z"
	want = []Started{{Definition: "disk-check", ID: other, Status: "started"}}
	if h := e.accepted(e.generic(disk("TargetTracking-volume/logs-disk-full", next))); !reflect.DeepEqual(h.Executions, want) {
		t.Errorf("another alarm on the route: %+v, want %+v", h.Executions, want)
	}

	cpu := "cpu-check/arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high/2026-11-26T10:00:00.989Z"
	want = []Started{{Definition: "cpu-check", ID: cpu, Status: "started"}}
	a := e.do("POST", "/v1/hooks/eventbridge", []byte(hookTestdata(t, "eventbridge-alarm.json")),
		"Authorization", "Bearer "+e.tokens["eventbridge"], "Content-Type", "application/json")
	if h := e.accepted(a); !reflect.DeepEqual(h.Executions, want) {
		t.Fatalf("EventBridge: %+v, want %+v", h, want)
	}
	if out := e.wait(cpu); out.Finding == nil || out.Finding.Finding != "CPU high on i-0123456789abcdef0" {
		t.Errorf("EventBridge execution: %s, finding %+v", out.Status, out.Finding)
	}
	if in := e.input(cpu); in.StartedBy != "eventbridge" || in.Params["InstanceId"] != "i-0123456789abcdef0" {
		t.Errorf("EventBridge execution: started by %q, params %v", in.StartedBy, in.Params)
	}
	e.waitCount("", 3, 10*time.Second)
}
