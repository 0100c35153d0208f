package interp

import (
	"errors"
	"fmt"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// child runs the runbook a run step pinned as a child workflow: its params
// checked against the child's declarations, the requester carried (they
// can't approve the child either), cancellation passed on (the child's
// finally steps run). The child's outputs are the step's `result`, and its
// outputs when it declares none.
func (it *interp) child(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any, visit int) (map[string]any, error) {
	if s.Child == nil {
		return nil, &engine.StepError{Type: "InvalidPlan", Message: "the run step has no pinned runbook: validate the definition again"}
	}
	given, err := it.resolve(s.Arg("params"), env)
	if err != nil {
		return nil, err
	}
	gm, _ := given.(map[string]any)
	params, err := engine.CheckParams(s.Child, gm)
	if err != nil {
		return nil, &engine.StepError{Type: "InvalidParams", Message: err.Error()}
	}
	id := it.exec["id"].(string)
	in := engine.Input{Plan: s.Child, Params: params, StartedBy: it.in.StartedBy, Trigger: "run", Parent: id, DryRun: it.in.DryRun, Seal: it.secrets.Known(), Secrets: it.secretsIn(params)}
	rec.Execution = fmt.Sprintf("%s/%s#%d", id, rec.Name, visit)
	opts := workflow.ChildWorkflowOptions{
		WorkflowID: rec.Execution, TaskQueue: it.queue(s.Child), WaitForCancellation: true,
		StaticSummary:         fmt.Sprintf("%s@%s (step %s of %s)", s.Child.Name, s.Child.Version, rec.Name, id),
		TypedSearchAttributes: searchAttributes(in),
	}
	bctx, timedOut, stop, err := it.bound(ctx, s, env)
	if err != nil {
		return nil, err
	}
	defer stop()
	var out engine.Outcome
	err = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(bctx, opts), engine.WorkflowName, in).Get(bctx, &out)
	switch {
	case err == nil:
	case timedOut():
		return nil, &engine.StepError{Type: "Timeout", Message: "the step timed out; the child " + rec.Execution + " was cancelled"}
	case ctx.Err() != nil:
		return nil, temporal.NewCanceledError()
	default:
		var app *temporal.ApplicationError
		msg := err.Error()
		if errors.As(err, &app) {
			msg = app.Type() + ": " + app.Message()
		} else if temporal.IsCanceledError(err) {
			msg = "cancelled"
		}
		return nil, &engine.StepError{Type: "ChildFailed", Message: fmt.Sprintf("%s@%s (%s) %s", s.Child.Name, s.Child.Version, rec.Execution, msg)}
	}
	if out.Outputs == nil {
		out.Outputs = map[string]any{}
	}
	for _, n := range out.SecretOutputs {
		it.secret(out.Outputs[n])
	}
	if len(s.Outputs) == 0 {
		return out.Outputs, nil
	}
	return it.outputs(s, env, out.Outputs)
}

// bound applies a step's timeout to kinds that run in the workflow (run,
// forEach): the returned context is cancelled when it passes. stop ends
// the timer.
func (it *interp) bound(ctx workflow.Context, s *engine.PlanStep, env map[string]any) (bctx workflow.Context, timedOut func() bool, stop func(), err error) {
	if s.Timeout == nil {
		return ctx, func() bool { return false }, func() {}, nil
	}
	d, err := it.duration(s.Timeout, env)
	if err != nil {
		return nil, nil, nil, err
	}
	bctx, cancel := workflow.WithCancel(ctx)
	tctx, stopTimer := workflow.WithCancel(ctx)
	fired := false
	workflow.Go(tctx, func(g workflow.Context) {
		if workflow.NewTimerWithOptions(g, d, workflow.TimerOptions{Summary: engine.StepTimeoutTimer(s.Name)}).Get(g, nil) == nil {
			fired = true
			cancel()
		}
	})
	return bctx, func() bool { return fired }, stopTimer, nil
}

// queue is the task queue of a child execution of p: its plan's queue
// (a version marker guards the change: builds before it sent every child
// to the default queue), else the default.
func (it *interp) queue(p *engine.Plan) string {
	if p.TaskQueue != "" && it.version("child-task-queue") >= 1 {
		return p.TaskQueue
	}
	return engine.TaskQueue
}
