package steps_test

// The shipped playbooks, end to end: resources created in kumo, the
// playbook run on the embedded Temporal server with the shipped runbooks as
// its catalog, and its conclusion checked against the state created: each
// state its own conclusion. kumo v0.33.1 lacks ecs:DescribeServices,
// lambda:GetAlias, autoscaling, ec2:DescribeInstanceStatus, percentiles
// in GetMetricStatistics and cluster members in RDS, so the paths through
// them (and ec2-status-check) run only in the playbooks' own tests.

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
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
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
	e := &pbEnv{harness: newHarness(t)}
	e.cfg = e.ok(config.LoadDefaultConfig(context.Background(), config.WithLogger(logging.Nop{}))).(aws.Config)
	e.cw = cloudwatch.NewFromConfig(e.cfg)
	return e
}

// ok returns v, failing the test on err: it takes a call's two results.
func (e *pbEnv) ok(v any, err error) any {
	if err != nil {
		e.t.Helper()
		e.t.Fatal(err)
	}
	return v
}

// playbook returns the plan of the shipped playbook name, validated with
// the shipped runbooks as its catalog.
func (e *pbEnv) playbook(name string) *engine.Plan {
	e.t.Helper()
	var catalog []string
	files, _ := fs.Glob(runbooks.FS, "*.yaml")
	for _, f := range files {
		if !engine.IsTestFile(f) {
			catalog = append(catalog, string(e.ok(fs.ReadFile(runbooks.FS, f)).([]byte)))
		}
	}
	return e.plan(string(e.ok(fs.ReadFile(playbooks.FS, name+".yaml")).([]byte)), catalog...)
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
	e.ok(e.cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String(name), Dimensions: d, Value: aws.Float64(v)}}}))
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
		e.ok(db.CreateTable(context.Background(), in))
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
		e.ok(db.CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("postgres"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-password"),
			AllocatedStorage: aws.Int32(20), MultiAZ: aws.Bool(multiAZ),
		}))
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
		return e.ok(sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})).(*sqs.GetQueueAttributesOutput).Attributes["QueueArn"]
	}
	// create makes a queue holding n messages.
	create := func(name string, n int, attrs map[string]string) *string {
		url := e.ok(sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})).(*sqs.CreateQueueOutput).QueueUrl
		for range n {
			e.ok(sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(`{"order":1}`)}))
		}
		return url
	}
	// queue makes a queue with 5 messages, the oldest age seconds old, and
	// a dead-letter queue holding dead messages when dead > 0.
	queue := func(age float64, dead int) (name, arn, dlqArn string) {
		name = unique("backlog")
		attrs := map[string]string{}
		if dead > 0 {
			dlqArn = arnOf(create(name+"-dlq", dead, nil))
			attrs["RedrivePolicy"] = `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"3"}`
		}
		url := create(name, 5, attrs)
		e.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", map[string]string{"QueueName": name}, age)
		return name, arnOf(url), dlqArn
	}
	// consumer subscribes a new function to the queue arn.
	consumer := func(arn string, enabled bool) string {
		name := unique("worker")
		e.ok(fn.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Role: aws.String("arn:aws:iam::000000000000:role/worker"),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK")},
		}))
		e.ok(fn.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(name), EventSourceArn: aws.String(arn), Enabled: aws.Bool(enabled)}))
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

// TestIntegrationLibraryPlaybookELB: load balancers answering 5xx
// themselves, and ones whose targets answer them, with no backend known
// (kumo reports every registered target healthy and has no autoscaling).
func TestIntegrationLibraryPlaybookELB(t *testing.T) {
	e := newPBEnv(t)
	ctx := context.Background()
	elb := elbv2.NewFromConfig(e.cfg)
	// balancer makes a load balancer forwarding to two ip targets, and its
	// 5xx counts of the last minute.
	balancer := func(lb5xx, target5xx float64) string {
		name := unique("web")
		lb := e.ok(elb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Subnets: []string{"subnet-1a", "subnet-1b"}}))
		tg := e.ok(elb.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
			Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp}))
		lbArn := lb.(*elbv2.CreateLoadBalancerOutput).LoadBalancers[0].LoadBalancerArn
		tgArn := tg.(*elbv2.CreateTargetGroupOutput).TargetGroups[0].TargetGroupArn
		e.ok(elb.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lbArn, Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgArn}}}))
		e.ok(elb.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tgArn,
			Targets: []elbtypes.TargetDescription{{Id: aws.String("10.0.1.17"), Port: aws.Int32(8080)}, {Id: aws.String("10.0.2.40"), Port: aws.Int32(8080)}}}))
		dims := map[string]string{"LoadBalancer": (*lbArn)[strings.Index(*lbArn, ":loadbalancer/")+len(":loadbalancer/"):]}
		e.metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dims, lb5xx)
		e.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, target5xx)
		return *lbArn
	}
	p := e.playbook("elb-5xx-spike")
	e.conclude(p, map[string]any{"LoadBalancerArn": balancer(500, 20)}, pbWant{"lbErrors", "high",
		"answers 500 5xx itself against 20 from targets, with 2 of 2 targets healthy and 0 unhealthy", "", nil})
	e.conclude(p, map[string]any{"LoadBalancerArn": balancer(0, 300)}, pbWant{"appErrors", "high",
		"The targets answer the 5xx (300 against 0 from the load balancer), 2 of 2 healthy", "", nil})
}

// TestIntegrationLibraryPlaybookAPILatency: kumo computes no percentiles
// (GetMetricStatistics ignores ExtendedStatistics), so a stage's latency
// reads as no data and the burn as stopped; what runs for real is the call
// with its dimensions computed from the params. kumo has neither
// lambda:GetAlias nor ecs:DescribeServices for the other paths.
func TestIntegrationLibraryPlaybookAPILatency(t *testing.T) {
	e := newPBEnv(t)
	api := unique("orders-api")
	e.metric("AWS/ApiGateway", "Latency", map[string]string{"ApiName": api, "Stage": "prod"}, 2500)
	e.conclude(e.playbook("api-latency-slo-burn"), map[string]any{"ApiName": api, "Stage": "prod", "FunctionName": "orders-handler"},
		pbWant{"recovered", "info", "The p99 latency is back to 0 ms, under the SLO's 1000 ms", "", nil})
}
