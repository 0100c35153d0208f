package steps_test

// The shipped runbooks end to end: resources created with the SDK, the
// runbook from runbooks.FS run on the embedded Temporal server, approved or
// rejected, and the emulator's state checked afterwards. Only
// dynamodb-capacity-raise runs through, on dynalite (kumo's UpdateTable
// ignores ProvisionedThroughput). kumo v0.33.1 lacks the operation that acts
// for the others (RebootDBInstance, TestFailover, RotateSecret,
// Disable/EnableAlarmActions, ...): those run their checks against kumo's
// state up to the approval, then are rejected or refused, and nothing changes.

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
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/logging"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/runbooks"
)

// libConfig is the SDK configuration of the harness's environment.
func libConfig(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithLogger(logging.Nop{}))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// libStart validates the shipped runbook name, as in runbooks.FS, and
// starts it with params.
func libStart(h *harness, name string, params map[string]any) string {
	h.t.Helper()
	src, err := fs.ReadFile(runbooks.FS, name+".yaml")
	if err != nil {
		h.t.Fatal(err)
	}
	id, err := h.start(h.plan(string(src)), params)
	if err != nil {
		h.t.Fatalf("start %s: %v", name, err)
	}
	return id
}

// libApproval waits until execution id asks for its approval and returns
// what the approvers are asked, which must contain each of want.
func libApproval(h *harness, id string, want ...string) string {
	h.t.Helper()
	rec := h.waitStep(id, "approval", engine.StatusWaiting)
	if rec.Approval == nil {
		h.t.Fatalf("approval of %s: no request", id)
	}
	for _, w := range want {
		if !strings.Contains(rec.Approval.Message, w) {
			h.t.Errorf("approval message %q: want %q in it", rec.Approval.Message, w)
		}
	}
	return rec.Approval.Message
}

// libMustFail fails the test unless the execution failed at step with a
// message containing msg.
func libMustFail(t *testing.T, o *engine.Outcome, step, msg string) {
	t.Helper()
	if o.Status != engine.StatusFailed || o.Failed != step || o.Error == nil || !strings.Contains(o.Error.Message, msg) {
		t.Fatalf("status %s at %q (%+v); steps %s; want failed at %s with %q", o.Status, o.Failed, o.Error, statuses(o), step, msg)
	}
}

// libTable creates a table, provisioned with pt or on-demand when pt is nil.
func libTable(t *testing.T, db *dynamodb.Client, pt *ddbtypes.ProvisionedThroughput) string {
	t.Helper()
	name := unique("orders")
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}
	if pt != nil {
		in.BillingMode, in.ProvisionedThroughput = ddbtypes.BillingModeProvisioned, pt
	}
	if _, err := db.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestIntegrationLibraryDynamoDBCapacityRaise(t *testing.T) {
	h := newHarness(t, withEnv("AWS_ENDPOINT_URL_DYNAMODB", startDynalite(t, 0)))
	ctx := context.Background()
	db := dynamodb.NewFromConfig(libConfig(t))
	table := libTable(t, db, &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)})
	capacity := func() string {
		t.Helper()
		d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		pt := d.Table.ProvisionedThroughput
		return fmt.Sprintf("%s %d/%d", d.Table.TableStatus, *pt.ReadCapacityUnits, *pt.WriteCapacityUnits)
	}

	// A small raise goes through without an approval.
	out, err := h.wait(libStart(h, "dynamodb-capacity-raise", map[string]any{"TableName": table, "ReadCapacityUnits": 8}))
	mustSucceed(t, out, err)
	if s := step(out, "approval"); s == nil || s.Status != engine.StatusSkipped {
		t.Errorf("approval %+v, want skipped", s)
	}
	if got := fmt.Sprint(out.Outputs["previousReadCapacityUnits"], out.Outputs["readCapacityUnits"], out.Outputs["writeCapacityUnits"]); got != "5 8 5" {
		t.Errorf("outputs %v", out.Outputs)
	}
	if got := capacity(); got != "ACTIVE 8/5" {
		t.Errorf("table after the raise: %s, want ACTIVE 8/5", got)
	}
	// dynalite keeps the table UPDATING for 500ms: the wait polled past it.
	if n := h.aws.count("DescribeTable"); n < 3 {
		t.Errorf("%d DescribeTable requests: the wait never saw the table UPDATING", n)
	}

	// Ten times the write capacity waits for an approver.
	id := libStart(h, "dynamodb-capacity-raise", map[string]any{"TableName": table, "WriteCapacityUnits": 50})
	libApproval(h, id, "from 8 RCU / 5 WCU", "to 8 RCU / 50 WCU")
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "integration@test", Groups: []string{"oncall"}}, "started this execution")
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "dana", Groups: []string{"dba-oncall"}}); err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(id)
	mustSucceed(t, out, err)
	if got := capacity(); got != "ACTIVE 8/50" {
		t.Errorf("table after the approved raise: %s, want ACTIVE 8/50", got)
	}
	if n := h.aws.count("UpdateTable"); n != 2 {
		t.Errorf("%d UpdateTable requests, want 2", n)
	}
}

func TestIntegrationLibraryDynamoDBOnDemandRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(libConfig(t))
	table := libTable(t, db, nil)
	out, _ := h.wait(libStart(h, "dynamodb-capacity-raise", map[string]any{"TableName": table, "ReadCapacityUnits": 100}))
	libMustFail(t, out, "provisioned", "is on-demand (PAY_PER_REQUEST)")
	if n := h.aws.count("UpdateTable"); n != 0 {
		t.Errorf("%d UpdateTable requests on an on-demand table", n)
	}
	d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || d.Table.BillingModeSummary == nil || d.Table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Errorf("table after the refusal: %+v, %v", d, err)
	}
}

func TestIntegrationLibraryRDSRebootRejected(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	db := rds.NewFromConfig(libConfig(t))
	name := unique("billing")
	_, err := db.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(name), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("s3cr3t-pass"),
		MultiAZ: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := libStart(h, "rds-reboot", map[string]any{"DBInstanceIdentifier": name})
	libApproval(h, id, "Reboot RDS instance "+name+" (postgres,", "Multi-AZ", "with a failover to its standby")
	if _, err := h.decide(id, engine.UpdateReject, engine.Decision{Identity: "dana", Groups: []string{"dba-oncall"}, Comment: "month-end close"}); err != nil {
		t.Fatal(err)
	}
	out, _ := h.wait(id)
	libMustFail(t, out, "approval", "month-end close")
	if n := h.aws.count("RebootDBInstance"); n != 0 {
		t.Errorf("%d RebootDBInstance requests after a rejection", n)
	}
	d, err := db.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(name)})
	if err != nil || aws.ToString(d.DBInstances[0].DBInstanceStatus) != "available" {
		t.Errorf("instance after the rejection: %v", err)
	}
}

func TestIntegrationLibraryElastiCacheFailover(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ec := elasticache.NewFromConfig(libConfig(t))
	group := func(failover bool) string {
		t.Helper()
		name := unique("sessions")
		_, err := ec.CreateReplicationGroup(ctx, &elasticache.CreateReplicationGroupInput{
			ReplicationGroupId: aws.String(name), ReplicationGroupDescription: aws.String("sessions"),
			Engine: aws.String("redis"), CacheNodeType: aws.String("cache.t3.micro"),
			AutomaticFailoverEnabled: aws.Bool(failover), ReplicasPerNodeGroup: aws.Int32(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	primary := func(name string) string {
		t.Helper()
		d, err := ec.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range d.ReplicationGroups[0].NodeGroups[0].NodeGroupMembers {
			if aws.ToString(m.CurrentRole) == "primary" {
				return aws.ToString(m.CacheClusterId)
			}
		}
		return ""
	}

	name := group(true)
	before := primary(name)
	id := libStart(h, "elasticache-failover", map[string]any{"ReplicationGroupId": name})
	libApproval(h, id, "node group 0001 of ElastiCache replication group "+name, "(primary "+before+", 2 nodes)")
	if _, err := h.decide(id, engine.UpdateReject, engine.Decision{Identity: "omar", Groups: []string{"oncall"}, Comment: "flash sale"}); err != nil {
		t.Fatal(err)
	}
	out, _ := h.wait(id)
	libMustFail(t, out, "approval", "flash sale")
	if after := primary(name); after != before || h.aws.count("TestFailover") != 0 {
		t.Errorf("primary %s after a rejection (was %s), %d TestFailover requests", after, before, h.aws.count("TestFailover"))
	}

	out, _ = h.wait(libStart(h, "elasticache-failover", map[string]any{"ReplicationGroupId": group(false)}))
	libMustFail(t, out, "automaticFailover", "is disabled; TestFailover needs it enabled")
}

func TestIntegrationLibrarySecretRotateRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(libConfig(t))
	secret := func() string {
		t.Helper()
		name := unique("prod/orders/db")
		if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(`{"password":"x"}`)}); err != nil {
			t.Fatal(err)
		}
		return name
	}
	plain := secret()
	out, _ := h.wait(libStart(h, "secret-rotate", map[string]any{"SecretId": plain}))
	libMustFail(t, out, "rotationConfigured", "has no rotation enabled")

	deleted := secret()
	if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(deleted), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	out, _ = h.wait(libStart(h, "secret-rotate", map[string]any{"SecretId": deleted}))
	libMustFail(t, out, "notDeleted", "is scheduled for deletion")

	if n := h.aws.count("RotateSecret"); n != 0 {
		t.Errorf("%d RotateSecret requests", n)
	}
	v, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(plain)})
	if err != nil || aws.ToString(v.SecretString) != `{"password":"x"}` {
		t.Errorf("secret after the refusal: %v", err)
	}
}

func TestIntegrationLibraryAlarmMuteRejected(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(libConfig(t))
	alarm := func() string {
		t.Helper()
		name := unique("checkout-5xx")
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("HTTPCode_Target_5XX_Count"),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(10),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, ActionsEnabled: aws.Bool(true),
			AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:oncall"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	quiet, firing := alarm(), alarm()
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(firing), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test")}); err != nil {
		t.Fatal(err)
	}

	out, _ := h.wait(libStart(h, "alarm-mute", map[string]any{"AlarmNames": []any{quiet, "no-such-alarm"}}))
	libMustFail(t, out, "allExist", "no such alarm: no-such-alarm")

	id := libStart(h, "alarm-mute", map[string]any{"AlarmNames": []any{quiet, firing}, "Duration": "45m"})
	libApproval(h, id, "Mute 2 alarm(s) for 45m: "+quiet+", "+firing, "In ALARM right now: "+firing+".")
	if _, err := h.decide(id, engine.UpdateReject, engine.Decision{Identity: "omar", Groups: []string{"oncall"}, Comment: "it is firing for real"}); err != nil {
		t.Fatal(err)
	}
	out, _ = h.wait(id)
	libMustFail(t, out, "approval", "it is firing for real")
	if n := h.aws.count("DisableAlarmActions"); n != 0 {
		t.Errorf("%d DisableAlarmActions requests after a rejection", n)
	}
	d, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{quiet, firing}})
	if err != nil || len(d.MetricAlarms) != 2 {
		t.Fatalf("alarms after the rejection: %+v, %v", d, err)
	}
	for _, a := range d.MetricAlarms {
		if !aws.ToBool(a.ActionsEnabled) {
			t.Errorf("%s: actions disabled after a rejection", aws.ToString(a.AlarmName))
		}
	}
	// The finally's unmute (EnableAlarmActions, missing in kumo) fails after the execution failed.
	t.Logf("finally unmute: %+v", step(out, "unmute"))
}
