package interp

import (
	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/workflow"
)

// kind runs step s as its kind's descriptor says (Kind.Runs) and returns
// its outputs.
func (it *interp) kind(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, sc *frame, visit int) (map[string]any, error) {
	env := it.env(sc)
	k := it.kinds.Lookup(s.Kind)
	if outs, handled, err := it.dryRun(ctx, s, k, rec, env); handled {
		return outs, err
	}
	switch {
	case s.Kind == "": // a pure branch
		return it.outputs(s, env, nil)
	case k == nil:
		return nil, unsupported(s, "")
	case k.Guard != "" && workflow.GetVersion(ctx, k.Guard, workflow.DefaultVersion, 1) == workflow.DefaultVersion:
		// Executions started before the kind existed failed on it: they
		// still do when replayed.
		return nil, unsupported(s, " yet")
	}
	switch k.Runs {
	case engine.RunsInline:
		return it.inline(ctx, s, k, rec, env)
	case engine.RunsCheck:
		return it.assert(ctx, s, k, rec, env, visit)
	case engine.RunsTimer:
		return it.sleep(ctx, s, env)
	case engine.RunsActivity:
		return it.call(ctx, s, k, rec, env, visit)
	case engine.RunsApproval:
		return it.approve(ctx, s, rec, env)
	case engine.RunsManual, engine.RunsAsk:
		return it.task(ctx, s, rec, env)
	case engine.RunsChild:
		return it.child(ctx, s, rec, env, visit)
	case engine.RunsLoop:
		return it.forEach(ctx, s, rec, sc, env)
	}
	return nil, unsupported(s, "")
}

func unsupported(s *engine.PlanStep, yet string) error {
	return &engine.StepError{Type: "Unsupported", Message: "step kind " + s.Kind + " is not available in this build" + yet}
}

// inline runs a kind in the workflow: its message (log, fail, succeed)
// and how it ends the execution, or a playbook's conclusion.
func (it *interp) inline(ctx workflow.Context, s *engine.PlanStep, k *engine.Kind, rec *engine.StepRecord, env map[string]any) (map[string]any, error) {
	if k.Ends == engine.EndConcluded {
		if !it.playbook {
			return nil, unsupported(s, "")
		}
		return nil, it.conclude(ctx, s, rec, env)
	}
	msg, err := it.text(s.Main, env)
	if err != nil {
		return nil, err
	}
	rec.Message = it.hide(msg)
	switch k.Ends {
	case engine.EndFailed:
		it.out.Message = rec.Message
		return nil, &engine.StepError{Type: "Fail", Message: rec.Message}
	case engine.EndSucceeded:
		it.out.Message = rec.Message
		return nil, errEnd
	}
	workflow.GetLogger(ctx).Info("log", "step", s.Name, "message", rec.Message)
	return it.outputs(s, env, nil)
}

// sleep waits on a durable timer.
func (it *interp) sleep(ctx workflow.Context, s *engine.PlanStep, env map[string]any) (map[string]any, error) {
	d, err := it.duration(s.Main, env)
	if err != nil {
		return nil, err
	}
	if err := workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: engine.SleepTimer(d, s.Name)}).Get(ctx, nil); err != nil {
		return nil, err
	}
	return it.outputs(s, env, nil)
}

// assert fails the step unless its condition holds: its expression, or
// (the mapping form) the condition over the result of its call.
func (it *interp) assert(ctx workflow.Context, s *engine.PlanStep, k *engine.Kind, rec *engine.StepRecord, env map[string]any, visit int) (map[string]any, error) {
	var ok bool
	var outs map[string]any
	if s.Main != nil {
		v, err := it.bool(s.Main.Tmpl.Parts[0].Expr, env)
		if err != nil {
			return nil, err
		}
		ok = v
		if outs, err = it.outputs(s, env, nil); err != nil {
			return nil, err
		}
	} else {
		res, err := it.callActivity(ctx, s, k, rec, env, visit, s.Arg("condition"))
		if err != nil {
			return nil, err
		}
		ok, outs = res.Met, res.Outputs
	}
	if ok {
		return outs, nil
	}
	msg := "assertion failed"
	if m := s.Arg("message"); m != nil {
		text, err := it.text(m, env)
		if err != nil {
			return nil, err
		}
		msg = it.hide(text)
	}
	rec.Message = msg
	return nil, &engine.StepError{Type: "AssertionFailed", Message: msg}
}
