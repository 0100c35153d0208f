package steps_test

// The shipped playbooks, end to end: resources created in kumo, the
// playbook run on the embedded Temporal server with the shipped runbooks as
// its catalog, and its conclusion checked against the state created. Two
// states of the same resource kind must give two different conclusions.

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/logging"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/playbooks"
	"github.com/runbook-dev/runbook/runbooks"
)

// pbEnv is a harness with SDK clients for creating the resources a
// playbook examines.
type pbEnv struct {
	*harness
	cfg aws.Config
	cw  *cloudwatch.Client
}

func newPBEnv(t *testing.T) *pbEnv {
	t.Helper()
	h := newHarness(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithLogger(logging.Nop{}))
	if err != nil {
		t.Fatal(err)
	}
	return &pbEnv{harness: h, cfg: cfg, cw: cloudwatch.NewFromConfig(cfg)}
}

// playbook returns the plan of the shipped playbook name, validated with
// the shipped runbooks as its catalog.
func (e *pbEnv) playbook(name string) *engine.Plan {
	e.t.Helper()
	src, err := fs.ReadFile(playbooks.FS, name+".yaml")
	if err != nil {
		e.t.Fatal(err)
	}
	var catalog []string
	files, _ := fs.Glob(runbooks.FS, "*.yaml")
	for _, f := range files {
		if engine.IsTestFile(f) {
			continue
		}
		raw, err := fs.ReadFile(runbooks.FS, f)
		if err != nil {
			e.t.Fatal(err)
		}
		catalog = append(catalog, string(raw))
	}
	return e.plan(string(src), catalog...)
}

// metric puts one datapoint, as the service would. Without a timestamp:
// kumo fails to decode the CBOR timestamp the SDK sends, and stamps the
// datapoint with the time it receives it.
func (e *pbEnv) metric(namespace, name string, dims map[string]string, v float64) {
	e.t.Helper()
	d := []cwtypes.Dimension{}
	for k, x := range dims {
		d = append(d, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(x)})
	}
	_, err := e.cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String(namespace),
		MetricData: []cwtypes.MetricDatum{{
			MetricName: aws.String(name), Dimensions: d, Value: aws.Float64(v),
		}},
	})
	if err != nil {
		e.t.Fatalf("put %s/%s: %v", namespace, name, err)
	}
}

// pbWant is the conclusion a state must lead to.
type pbWant struct {
	node, severity string
	finding        string            // a part of the finding's text
	recommend      string            // the runbook recommended, "" for none
	params         map[string]string // some of its params, printed
}

// conclude runs p with params and checks its conclusion.
func (e *pbEnv) conclude(p *engine.Plan, params map[string]any, want pbWant) {
	e.t.Helper()
	id, err := e.start(p, params)
	if err != nil {
		e.t.Fatalf("start %s: %v", p.Name, err)
	}
	out, err := e.wait(id)
	mustSucceed(e.t, out, err)
	f := out.Finding
	if f == nil || f.Node != want.node || f.Severity != want.severity || !strings.Contains(f.Finding, want.finding) {
		e.t.Fatalf("%s %v: path %v, finding %s; want %s (%s) with %q", p.Name, params, out.Path, mustJSON(f), want.node, want.severity, want.finding)
	}
	r := f.Recommend
	if want.recommend == "" && r != nil || want.recommend != "" && (r == nil || r.Run != want.recommend) {
		e.t.Fatalf("%s: recommends %+v, want %q", want.node, r, want.recommend)
	}
	for k, v := range want.params {
		if got := fmt.Sprint(r.Params[k]); got != v {
			e.t.Errorf("%s: recommends %s=%s, want %s (%s)", want.node, k, got, v, r.Command)
		}
	}
	if len(f.Evidence) == 0 {
		e.t.Errorf("%s: no evidence", want.node)
	}
}

// TestIntegrationLibraryPlaybookDynamoDB: provisioned tables near and far
// from their capacity, and an on-demand table.
func TestIntegrationLibraryPlaybookDynamoDB(t *testing.T) {
	e := newPBEnv(t)
	db := dynamodb.NewFromConfig(e.cfg)
	table := func(wcu int64) string {
		name := unique("throttled")
		in := &dynamodb.CreateTableInput{
			TableName:            aws.String(name),
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
			BillingMode:          ddbtypes.BillingModePayPerRequest,
		}
		if wcu > 0 {
			in.BillingMode = ddbtypes.BillingModeProvisioned
			in.ProvisionedThroughput = &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(wcu)}
		}
		if _, err := db.CreateTable(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		// 600 units in a minute: 10 per second.
		e.metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", map[string]string{"TableName": name}, 600)
		return name
	}
	p := e.playbook("dynamodb-throttling")
	small, large, onDemand := table(10), table(100), table(0)
	e.conclude(p, map[string]any{"TableName": small, "Capacity": "write"}, pbWant{
		"underProvisioned", "high", "provisioned with 10 write units and consumed up to 10 units/s",
		"dynamodb-capacity-raise@1.0.0", map[string]string{"TableName": small, "ReadCapacityUnits": "0", "WriteCapacityUnits": "20"}})
	e.conclude(p, map[string]any{"TableName": large, "Capacity": "write"}, pbWant{
		"hotKey", "medium", "consuming at most 10 of its 100 provisioned units/s", "", nil})
	e.conclude(p, map[string]any{"TableName": onDemand, "Capacity": "write"}, pbWant{
		"onDemand", "high", "is on-demand and throttles writes (peak 10 units/s", "", nil})
}

// TestIntegrationLibraryPlaybookRDS: connection storms on a Multi-AZ and a
// single-AZ instance, a CPU-bound instance and one whose load has passed.
func TestIntegrationLibraryPlaybookRDS(t *testing.T) {
	e := newPBEnv(t)
	db := rds.NewFromConfig(e.cfg)
	instance := func(multiAZ bool, cpu, connections float64) string {
		id := unique("loaded")
		_, err := db.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("postgres"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-password"),
			AllocatedStorage: aws.Int32(20), MultiAZ: aws.Bool(multiAZ),
		})
		if err != nil {
			t.Fatal(err)
		}
		dims := map[string]string{"DBInstanceIdentifier": id}
		e.metric("AWS/RDS", "CPUUtilization", dims, cpu)
		e.metric("AWS/RDS", "DatabaseConnections", dims, connections)
		return id
	}
	p := e.playbook("rds-high-load")
	standby := instance(true, 70, 1000)
	e.conclude(p, map[string]any{"DBInstanceIdentifier": standby}, pbWant{
		"rebootFailover", "high", "Multi-AZ instance " + standby + " holds 1000 connections (CPU 70%)",
		"rds-reboot@1.0.0", map[string]string{"DBInstanceIdentifier": standby, "ForceFailover": "true"}})
	e.conclude(p, map[string]any{"DBInstanceIdentifier": instance(false, 70, 1000)}, pbWant{
		"noSafeRemedy", "critical", "holds 1000 connections (CPU 70%), but it has no standby or reader", "", nil})
	e.conclude(p, map[string]any{"DBInstanceIdentifier": instance(true, 95, 40)}, pbWant{
		"workload", "high", "(db.r6g.large) peaked at 95% CPU with 40 connections", "", nil})
	e.conclude(p, map[string]any{"DBInstanceIdentifier": instance(true, 30, 40)}, pbWant{
		"recovered", "info", "peaked at 30% CPU and 40 connections", "", nil})
}

// TestIntegrationLibraryPlaybookSQS: queues that keep up, with and without
// dead letters, and queues that fall behind: with dead letters, with a
// disabled or an enabled Lambda consumer, and with no consumer known.
func TestIntegrationLibraryPlaybookSQS(t *testing.T) {
	e := newPBEnv(t)
	ctx := context.Background()
	sq, fn := sqs.NewFromConfig(e.cfg), lambda.NewFromConfig(e.cfg)
	arnOf := func(url *string) string {
		a, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			t.Fatal(err)
		}
		return a.Attributes["QueueArn"]
	}
	send := func(url *string, n int) {
		for range n {
			if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(`{"order":1}`)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// queue makes a queue with 5 messages, the oldest age seconds old, and
	// a dead-letter queue holding dead messages when dead > 0.
	queue := func(age float64, dead int) (name, arn, dlqArn string) {
		name = unique("backlog")
		attrs := map[string]string{}
		if dead > 0 {
			dlq, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
			if err != nil {
				t.Fatal(err)
			}
			dlqArn = arnOf(dlq.QueueUrl)
			send(dlq.QueueUrl, dead)
			attrs["RedrivePolicy"] = `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"3"}`
		}
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		if err != nil {
			t.Fatal(err)
		}
		send(q.QueueUrl, 5)
		e.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", map[string]string{"QueueName": name}, age)
		return name, arnOf(q.QueueUrl), dlqArn
	}
	// consumer subscribes a new function to the queue arn.
	consumer := func(arn string, enabled bool) string {
		name := unique("worker")
		_, err := fn.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Role: aws.String("arn:aws:iam::000000000000:role/worker"),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK")},
		})
		if err == nil {
			_, err = fn.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(name), EventSourceArn: aws.String(arn), Enabled: aws.Bool(enabled)})
		}
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	p := e.playbook("sqs-backlog-growth")

	name, arn, dlqArn := queue(30, 3)
	e.conclude(p, map[string]any{"QueueName": name}, pbWant{"redrive", "medium", "keeps up again (oldest message 30s), but its dead-letter queue holds 3 messages",
		"sqs-dlq-redrive@1.0.0", map[string]string{"SourceArn": dlqArn, "DestinationArn": arn}})
	name, _, _ = queue(30, 0)
	e.conclude(p, map[string]any{"QueueName": name}, pbWant{"recovered", "info", "its oldest message is 30s old (threshold 600s), 5 waiting", "", nil})
	name, _, _ = queue(1200, 2)
	e.conclude(p, map[string]any{"QueueName": name}, pbWant{"failingConsumers", "high", "is 1200s behind and its dead-letter queue holds 2 messages", "sqs-dlq-redrive@1.0.0", nil})
	name, arn, _ = queue(1200, 0)
	consumer(arn, false)
	e.conclude(p, map[string]any{"QueueName": name}, pbWant{"mappingDisabled", "critical", "every Lambda event source mapping of it is disabled", "", nil})
	name, arn, _ = queue(1200, 0)
	worker := consumer(arn, true)
	e.conclude(p, map[string]any{"QueueName": name}, pbWant{"slowFunction", "high", "The consumer " + worker + " has no reserved concurrency cap", "", nil})
	name, _, _ = queue(1200, 0)
	e.conclude(p, map[string]any{"QueueName": name}, pbWant{"unknownConsumers", "high", "is 1200s behind with 5 messages waiting (0 in flight), and no Lambda", "", nil})
}
