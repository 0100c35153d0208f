package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

const dryBook = `apiVersion: runbook/v1
kind: Runbook
name: dry
version: 1.0.0
params:
  Queue: {type: string}
  Instance: {type: string}
steps:
  - name: who
    aws: sts:GetCallerIdentity
    outputs: {account: result.Account}
  - name: gate
    approve: {approvers: [user:alice], timeout: 1h}
  - name: make
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}-${{ steps.who.account }}"}
    outputs: {url: result.QueueUrl}
  - name: stop
    aws: ec2:StopInstances
    input: {InstanceIds: ["${{ params.Instance }}"]}
  - name: nap
    sleep: 2h
  - name: shell
    script: {command: [touch, /tmp/should-not-exist]}
`

// TestIntegrationDryRun: read-only calls run for real; an approval and a
// sleep are skipped; a mutating call without a DryRun flag is not sent, one
// with it is sent with DryRun=true; a script does not run. The outcome
// lists each with its resolved input.
func TestIntegrationDryRun(t *testing.T) {
	h := newHarness(t)
	queue := unique("dry")
	p := h.plan(dryBook)
	cfg, _ := config.LoadDefaultConfig(context.Background())
	vm, err := ec2.NewFromConfig(cfg).RunInstances(context.Background(), &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	checked, _ := engine.CheckParams(p, map[string]any{"Queue": queue, "Instance": *vm.Instances[0].InstanceId})
	in := engine.Input{Plan: p, Params: checked, StartedBy: "tester", Trigger: "manual", DryRun: true}
	opts, _ := interp.StartOptions(in, unique("dry-run"))
	run, err := h.client.ExecuteWorkflow(context.Background(), opts, engine.WorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(run.GetID())
	mustSucceed(t, out, err)
	account, _ := step(out, "who").Outputs["account"].(string)
	if account == "" || h.aws.count("GetCallerIdentity") != 1 {
		t.Errorf("the read-only call must run: %+v", step(out, "who"))
	}
	if !strings.Contains(step(out, "gate").Message, "approval skipped") || !strings.Contains(step(out, "nap").Message, "sleep skipped") {
		t.Errorf("gate %q, nap %q", step(out, "gate").Message, step(out, "nap").Message)
	}
	if len(out.DryRun) != 3 {
		t.Fatalf("dry calls %s", mustJSON(out.DryRun))
	}
	mk := out.DryRun[0]
	if mk.Step != "make" || mk.Op != "sqs:CreateQueue" || mk.Input["QueueName"] != queue+"-"+account || !strings.Contains(mk.Note, "not sent") {
		t.Errorf("make %s", mustJSON(mk))
	}
	if h.aws.count("CreateQueue") != 0 {
		t.Error("CreateQueue was sent")
	}
	if _, err := sqs.NewFromConfig(cfg).GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(queue + "-" + account)}); err == nil {
		t.Error("the queue exists after a dry run")
	}
	// kumo ignores EC2's DryRun flag (AWS would answer DryRunOperation):
	// what is checked is that the flag went on the wire.
	if stop := out.DryRun[1]; stop.Step != "stop" || !strings.Contains(stop.Note, "DryRun=true") {
		t.Errorf("stop %s", mustJSON(stop))
	}
	sent := false
	for _, c := range h.aws.all() {
		if c.Op == "StopInstances" {
			sent = c.DryRun == "true"
		}
	}
	if !sent {
		t.Errorf("StopInstances not sent with DryRun=true: %v", h.aws.ops())
	}
	if sh := out.DryRun[2]; sh.Kind != "script" || sh.Note != "not sent" {
		t.Errorf("script %s", mustJSON(sh))
	}
}
