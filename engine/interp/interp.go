package interp

import (
	"errors"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers the interpreter workflow (Workflow(ks, audit,
// opts...)) with a worker as engine.WorkflowName. The steps package
// registers the activities it calls.
func Register(w worker.WorkflowRegistry, ks engine.Kinds, audit Auditor, opts ...Option) {
	w.RegisterWorkflowWithOptions(Workflow(ks, audit, opts...), workflow.RegisterOptions{Name: engine.WorkflowName})
}

// Workflow is the interpreter workflow for plans of the step kinds ks: it
// runs the plan's steps in order unless routed, each as its kind's
// descriptor says, then the finally steps (after success, failure,
// cancel or the execution timeout), and returns the Outcome. A failed
// execution fails the workflow with the Outcome as the error's details.
// The approval decisions it refuses go to audit (when not nil) besides
// the worker's log. With WithCatalog it runs only the plans of a catalog.
func Workflow(ks engine.Kinds, audit Auditor, opts ...Option) func(workflow.Context, engine.Input) (*engine.Outcome, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return func(ctx workflow.Context, in engine.Input) (*engine.Outcome, error) {
		if err := admit(ctx, in, c.catalog); err != nil {
			return nil, err
		}
		return execute(ctx, in, ks, audit, c)
	}
}

// Determinism: the interpreter calls pure functions of recorded values
// (Eval, EvalOutputs, Coerce, Resolve, env). workflowcheck flags them
// because they range over maps and use reflection, but their results do
// not depend on map order: they are marked //workflowcheck:ignore, and
// the replay corpus (testdata/histories) proves it in CI.
//
// interp runs one plan inside a workflow. It reads only recorded values:
// the input, activity results, timers and workflow.Now.
type interp struct {
	in     engine.Input
	kinds  engine.Kinds
	out    *engine.Outcome
	params map[string]any
	exec   map[string]any
	root   *frame
	now    func() time.Time
	// waits are the approve steps waiting for decisions; audit records
	// the decisions refused.
	waits []*wait
	audit Auditor
	// playbook runs from the plan's start node and concludes.
	playbook bool
	// secrets the execution knows, which seal its payloads.
	secrets secrets
	// fold compares identities through engine.NormalIdentity (executions
	// started before compared them exactly).
	fold bool
	// version is workflow.GetVersion(ctx, change, DefaultVersion, 1) for
	// changes decided deep in the interpreter.
	version func(change string) workflow.Version
	// events: the plan's notify announces the execution's events (see
	// guardEvents); publicURL is the root of the execution pages
	// notices link to ("": none).
	events    bool
	publicURL string
}

// frame is where a list of steps runs: the top level and finally steps
// share the root frame; each item of a forEach has its own, which sees the
// outer steps' outputs and adds item and index.
type frame struct {
	steps  map[string]any // step name -> its outputs (nil when skipped)
	visits map[string]int
	extra  map[string]any // item, index
	prefix string         // of record names: "" or "LOOP[INDEX]."
}

// errEnd ends the execution successfully (succeed, conclude).
var errEnd = errors.New("end")

// failure is a step failure that aborts the execution.
type failure struct {
	step string
	err  *engine.StepError
}

func (f *failure) Error() string { return fmt.Sprintf("step %s failed: %s", f.step, f.err.Message) }

func execute(ctx workflow.Context, in engine.Input, ks engine.Kinds, a Auditor, c config) (*engine.Outcome, error) {
	it := newInterp(ctx, in)
	it.kinds, it.audit, it.publicURL = ks, a, c.publicURL
	it.fold = it.version("identity-fold") == 1
	if err := workflow.SetQueryHandler(ctx, engine.QueryState, func() (*engine.Outcome, error) { return it.out, nil }); err != nil {
		return nil, err
	}
	if err := it.handleDecisions(ctx); err != nil {
		return nil, err
	}
	main, cancel := workflow.WithCancel(ctx)
	timedOut := false
	if in.Plan.Timeout != nil {
		d, err := it.duration(in.Plan.Timeout, it.env(it.root))
		if err != nil {
			return it.finish(ctx, &failure{err: &engine.StepError{Type: "InvalidTimeout", Message: err.Error()}}, false)
		}
		workflow.Go(ctx, func(gctx workflow.Context) {
			if workflow.NewTimerWithOptions(gctx, d, workflow.TimerOptions{Summary: engine.ExecutionTimeoutTimer}).Get(gctx, nil) == nil {
				timedOut = true
				cancel()
			}
		})
	}
	// Executions started before definition-level notify announce
	// nothing, nor do dry runs (a notice acts: it pages people).
	it.events = len(in.Plan.Notify) > 0 && !in.DryRun && workflow.GetVersion(ctx, guardEvents, workflow.DefaultVersion, 1) == 1
	if err := it.identity(ctx); err != nil {
		return it.finish(ctx, &failure{err: err}, false)
	}
	first := 0
	// Playbook executions started before playbooks were supported ran
	// from the first node and failed at conclude: they still do.
	if in.Plan.Kind == engine.KindPlaybook && workflow.GetVersion(ctx, "playbook", workflow.DefaultVersion, 1) == 1 {
		it.playbook = true
		for i, s := range in.Plan.Steps {
			if s.Name == in.Plan.Start {
				first = i
			}
		}
	}
	it.announce(ctx, engine.EventStarted)
	err := it.runFrom(main, in.Plan.Steps, it.root, first)
	if timedOut && err != nil {
		err = &failure{err: &engine.StepError{Type: engine.StatusTimedOut, Message: "the execution timed out"}}
	}
	return it.finish(ctx, err, temporal.IsCanceledError(err) && !timedOut)
}

func newInterp(ctx workflow.Context, in engine.Input) *interp {
	info := workflow.GetInfo(ctx)
	it := &interp{
		in:     in,
		out:    &engine.Outcome{Status: engine.StatusRunning, Steps: []*engine.StepRecord{}},
		params: map[string]any{},
		root:   &frame{steps: map[string]any{}, visits: map[string]int{}},
		now:    func() time.Time { return workflow.Now(ctx) },
		version: func(change string) workflow.Version {
			return workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1)
		},
		exec: map[string]any{
			"id": info.WorkflowExecution.ID, "name": in.Plan.Name, "version": in.Plan.Version,
			"startedBy": in.StartedBy, "trigger": in.Trigger, "account": "", "region": "",
		},
	}
	for _, p := range in.Plan.Params {
		v, ok := in.Params[p.Name]
		if !ok {
			v = p.Default
		}
		it.params[p.Name] = engine.Coerce(v, p.Shape())
		if p.Secret {
			it.secret(it.params[p.Name])
		}
	}
	for _, s := range in.Secrets {
		it.secret(s)
	}
	return it
}

// finish runs the finally steps and returns the outcome (or the error
// that carries it).
func (it *interp) finish(ctx workflow.Context, err error, cancelled bool) (*engine.Outcome, error) {
	var f *failure
	switch {
	case err == nil || errors.Is(err, errEnd):
		it.out.Status = engine.StatusSucceeded
	case cancelled:
		it.out.Status = engine.StatusCancelled
	case errors.As(err, &f):
		it.out.Status, it.out.Failed, it.out.Error = engine.StatusFailed, f.step, f.err
		if f.err.Type == engine.StatusTimedOut {
			it.out.Status = engine.StatusTimedOut
		}
	default:
		it.out.Status, it.out.Error = engine.StatusFailed, &engine.StepError{Type: "InternalError", Message: err.Error()}
	}
	if len(it.in.Plan.Finally) > 0 {
		fctx, _ := workflow.NewDisconnectedContext(ctx)
		if ferr := it.run(fctx, it.in.Plan.Finally, it.root); ferr != nil && !errors.Is(ferr, errEnd) && it.out.Status == engine.StatusSucceeded {
			return it.finish(ctx, ferr, false)
		}
	}
	if it.out.Status == engine.StatusSucceeded {
		outs, oerr := engine.EvalOutputs(it.in.Plan.Outputs, it.env(it.root), it.now)
		if oerr != nil {
			it.out.Status, it.out.Error = engine.StatusFailed, &engine.StepError{Type: "ExpressionError", Message: oerr.Error()}
		}
		it.out.Outputs = outs
		it.out.SecretOutputs = it.noteOutputs(it.in.Plan.Outputs, outs)
	}
	it.announceEnd(ctx)
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"definition": it.in.Plan.Name, "status": it.out.Status}).
		Counter(MetricExecutionsFinished).Inc(1)
	switch it.out.Status {
	case engine.StatusSucceeded:
		return it.out, nil
	case engine.StatusCancelled:
		return nil, temporal.NewCanceledError(it.out)
	}
	msg := it.hide(it.out.Error.Message)
	if it.out.Failed != "" {
		msg = fmt.Sprintf("step %s: %s", it.out.Failed, msg)
	}
	return nil, temporal.NewNonRetryableApplicationError(msg, it.out.Status, nil, it.out)
}

// The metrics the interpreter reports through the SDK's metrics handler
// (skipped on replay): `runbook serve` exposes them.
const (
	MetricStepDuration       = "runbook_step_duration_seconds" // timer; tags kind, status
	MetricExecutionsFinished = "runbook_executions_finished"   // counter; tags definition, status
)

// observe reports an ended step's duration.
func (it *interp) observe(ctx workflow.Context, rec *engine.StepRecord) {
	if rec.End.IsZero() {
		return
	}
	kind := rec.Kind
	if kind == "" {
		kind = "branch"
	}
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"kind": kind, "status": rec.Status}).
		Timer(MetricStepDuration).Record(rec.End.Sub(rec.Start))
}

// env is what expressions may read in frame sc.
//
//workflowcheck:ignore
func (it *interp) env(sc *frame) map[string]any {
	env := map[string]any{"params": it.params, "steps": sc.steps, "execution": it.exec}
	if it.in.Alarm != nil {
		env["alarm"] = it.in.Alarm
	} else {
		env["alarm"] = nil
	}
	for k, v := range sc.extra {
		env[k] = v
	}
	return env
}

// run runs a list of steps, following routes, until the end of the list
// or an error (a failure, the end, or cancellation).
func (it *interp) run(ctx workflow.Context, steps []*engine.PlanStep, sc *frame) error {
	return it.runFrom(ctx, steps, sc, 0)
}

// runFrom runs steps from the one at first.
func (it *interp) runFrom(ctx workflow.Context, steps []*engine.PlanStep, sc *frame, first int) error {
	index := make(map[string]int, len(steps))
	for i, s := range steps {
		index[s.Name] = i
	}
	for i := first; i < len(steps); {
		s := steps[i]
		next, err := it.step(ctx, s, sc)
		if err != nil {
			return err
		}
		if next == "" {
			i++
			continue
		}
		j, ok := index[next]
		if !ok {
			return &failure{step: s.Name, err: &engine.StepError{Type: "InvalidPlan", Message: "goto names no step " + next}}
		}
		i = j
	}
	return nil
}
