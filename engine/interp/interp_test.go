package interp_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// plan validates src and returns its plan.
func plan(t *testing.T, src string) *engine.Plan {
	t.Helper()
	r := engine.Validate([]engine.File{{Path: "t.yaml", Src: []byte(src)}}, engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if len(r.Plans) != 1 {
		t.Fatalf("invalid test definition: %v", r.Diags)
	}
	return r.Plans[0]
}

// execute runs a plan in Temporal's test environment (time skips) with
// the given aws activity, and returns the outcome, from the result or from
// the failure's details.
func execute(t *testing.T, p *engine.Plan, params map[string]any, aws func(context.Context, engine.Call) (engine.CallResult, error)) (*engine.Outcome, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	// CI machines run packages in parallel: a starved workflow goroutine
	// must not read as a deadlock.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	interp.Register(env, steps.All(), nil)
	if aws != nil {
		env.RegisterActivityWithOptions(aws, activity.RegisterOptions{Name: engine.ActivityAWS})
	}
	env.ExecuteWorkflow(engine.WorkflowName, engine.Input{Plan: p, Params: params, StartedBy: "tester"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var out engine.Outcome
	err := env.GetWorkflowError()
	if err == nil {
		if gerr := env.GetWorkflowResult(&out); gerr != nil {
			t.Fatal(gerr)
		}
		return &out, nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.HasDetails() {
		if derr := app.Details(&out); derr != nil {
			t.Fatal(derr)
		}
	}
	return &out, err
}

func statuses(o *engine.Outcome) map[string]string {
	m := map[string]string{}
	for _, s := range o.Steps {
		m[s.Name] = s.Status
	}
	return m
}

const head = "apiVersion: runbook/v1\nkind: Runbook\nname: t\nversion: 1.0.0\n"

func TestInterpRoutesAndTypes(t *testing.T) {
	p := plan(t, head+`params:
  N: {type: int, default: 3}
  Skip: {type: bool, default: true}
steps:
  - name: first
    log: n is ${{ params.N }}
    outputs:
      odd: params.N % 2 == 1
      half: params.N / 2
    branch:
      - when: steps.first.odd
        goto: odd
  - name: even
    fail: should not run
  - name: odd
    if: "!params.Skip"
    log: skipped
  - name: nap
    sleep: 2h
  - name: check
    assert: steps.odd == nil && steps.first.odd
outputs:
  n: params.N
  rem: params.N % 2
`)
	out, err := execute(t, p, map[string]any{"N": float64(5)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"first": "succeeded", "odd": "skipped", "nap": "succeeded", "check": "succeeded"}
	for k, v := range want {
		if statuses(out)[k] != v {
			t.Errorf("step %s: %s, want %s (%v)", k, statuses(out)[k], v, statuses(out))
		}
	}
	if _, ran := statuses(out)["even"]; ran {
		t.Error("the branch did not skip step even")
	}
	if out.Outputs["rem"] != 1.0 && out.Outputs["rem"] != 1 {
		t.Errorf("rem = %#v", out.Outputs["rem"])
	}
	if out.Steps[0].Message != "n is 5" {
		t.Errorf("log message %q", out.Steps[0].Message)
	}
}

func TestInterpFailureAndFinally(t *testing.T) {
	p := plan(t, head+`steps:
  - name: check
    assert: 1 == 2
    message: one is not two
    onFailure: continue
  - name: again
    assert: 1 == 2
    onFailure: goto:recover
  - name: skipped
    log: never
  - name: recover
    fail: giving up after ${{ "recover" }}
finally:
  - name: cleanup
    log: cleaned
`)
	out, err := execute(t, p, nil, nil)
	if err == nil {
		t.Fatal("the execution succeeded")
	}
	if out.Status != engine.StatusFailed || out.Failed != "recover" || out.Error.Type != "Fail" || out.Error.Message != "giving up after recover" {
		t.Errorf("outcome %+v error %+v", out, out.Error)
	}
	st := statuses(out)
	if st["check"] != "failed" || st["again"] != "failed" || st["cleanup"] != "succeeded" {
		t.Errorf("statuses %v", st)
	}
	if _, ran := st["skipped"]; ran {
		t.Error("goto did not skip")
	}
}

func TestInterpTimeout(t *testing.T) {
	p := plan(t, head+`timeout: 1h
steps:
  - name: long
    sleep: 2h
finally:
  - name: cleanup
    log: cleaned
`)
	out, err := execute(t, p, nil, nil)
	if err == nil || out.Status != engine.StatusTimedOut {
		t.Fatalf("status %s, err %v", out.Status, err)
	}
	if statuses(out)["cleanup"] != "succeeded" {
		t.Errorf("finally did not run after the timeout: %v", statuses(out))
	}
}

func TestInterpAWSOutputsTyped(t *testing.T) {
	p := plan(t, head+`steps:
  - name: count
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "https://q", AttributeNames: [All]}
    outputs:
      n: len(result.Attributes)
  - name: parity
    assert: steps.count.n % 2 == 0
`)
	calls := 0
	out, err := execute(t, p, nil, func(_ context.Context, c engine.Call) (engine.CallResult, error) {
		calls++
		if c.Op != "sqs:GetQueueAttributes" || c.Input["QueueUrl"] != "https://q" {
			return engine.CallResult{}, temporal.NewNonRetryableApplicationError("bad call", "Test", nil)
		}
		return engine.CallResult{Outputs: map[string]any{"n": 2}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// parity's % works only if n stayed an int through the history.
	if statuses(out)["parity"] != "succeeded" {
		t.Errorf("parity: %+v", out.Steps[1])
	}
	if calls != 1 {
		t.Errorf("%d calls", calls)
	}
}

func TestInterpAWSError(t *testing.T) {
	p := plan(t, head+`steps:
  - name: url
    aws: sqs:GetQueueUrl
    input: {QueueName: missing}
`)
	out, err := execute(t, p, nil, func(context.Context, engine.Call) (engine.CallResult, error) {
		return engine.CallResult{}, temporal.NewNonRetryableApplicationError("AWS.SimpleQueueService.NonExistentQueue: no such queue", "AWS.SimpleQueueService.NonExistentQueue", nil)
	})
	if err == nil || out.Failed != "url" || out.Error.Type != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("outcome %+v err %v", out, err)
	}
}

// TestInterpSelfOutputs: a step's outputs read those listed before them,
// in the workflow (log) and in the activity (aws, through
// EvalStepOutputs); an expression's result is bounded.
func TestInterpSelfOutputs(t *testing.T) {
	p := plan(t, head+`params:
  N: {type: int, default: 3}
steps:
  - name: calc
    log: computing
    outputs:
      n: params.N * 2
      m: steps.calc.n + 1
  - name: big
    log: ${{ join(map(1..30000, "0123456789abcdefghijklmnopqrstuvwxyz"), "") }}
    onFailure: continue
outputs:
  m: steps.calc.m
`)
	out, err := execute(t, p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := out.Outputs["m"]; m != 7 && m != 7.0 {
		t.Errorf("m = %#v, want 7", m)
	}
	if e := out.Steps[1].Error; e == nil || !strings.Contains(e.Message, "larger than 1048576 bytes") {
		t.Errorf("a 1 MB result: %+v", out.Steps[1])
	}
	outs, err := engine.EvalStepOutputs("q", []*engine.PlanOutput{
		{Name: "a", Expr: &engine.Expr{Src: "result.X"}}, {Name: "b", Expr: &engine.Expr{Src: "steps.q.a * 2"}},
	}, map[string]any{"steps": map[string]any{}, "result": map[string]any{"X": 4}}, nil)
	if err != nil || outs["b"] != 8 {
		t.Errorf("activity outputs %v, %v", outs, err)
	}
}
