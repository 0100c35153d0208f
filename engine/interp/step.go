package interp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// step runs one step and returns where to go next ("" for the next step
// listed). Step failures are handled by onFailure here.
func (it *interp) step(ctx workflow.Context, s *engine.PlanStep, sc *frame) (string, error) {
	sc.visits[s.Name]++
	visit := sc.visits[s.Name]
	rec := &engine.StepRecord{Name: sc.prefix + s.Name, Kind: s.Kind, Status: engine.StatusRunning, Start: it.now()}
	it.out.Steps = append(it.out.Steps, rec)
	defer it.observe(ctx, rec)
	if it.playbook {
		it.out.Path = append(it.out.Path, rec.Name)
	}
	if s.MaxVisits > 0 && visit > s.MaxVisits {
		return "", it.stepFailed(rec, &engine.StepError{Type: "MaxVisits", Message: fmt.Sprintf("visited more than maxVisits (%d) times", s.MaxVisits)})
	}
	if outs, ok := it.reused(ctx, s, sc, visit); ok {
		rec.Status, rec.End, rec.Outputs, rec.Message = engine.StatusSucceeded, it.now(), outs, "reused from "+it.in.RetryOf
		rec.Secret = it.noteOutputs(s.Outputs, outs)
		if outs == nil {
			rec.Status, rec.Message = engine.StatusSkipped, ""
		}
		sc.steps[s.Name] = outs
		if outs == nil {
			return "", nil
		}
		return it.route(rec, s, it.env(sc))
	}
	env := it.env(sc)
	if s.If != nil {
		ok, err := it.bool(s.If, env)
		if err != nil {
			return it.onFailure(rec, s, sc, err)
		}
		if !ok {
			rec.Status, rec.End = engine.StatusSkipped, it.now()
			sc.steps[s.Name] = nil
			return "", nil
		}
	}
	outs, err := it.kind(ctx, s, rec, sc, visit)
	if err != nil {
		if temporal.IsCanceledError(err) || ctx.Err() != nil {
			rec.Status, rec.End = engine.StatusCancelled, it.now()
			return "", temporal.NewCanceledError()
		}
		if err == errEnd {
			rec.Status, rec.End = engine.StatusSucceeded, it.now()
			return "", errEnd
		}
		return it.onFailure(rec, s, sc, err)
	}
	rec.Status, rec.End, rec.Outputs = engine.StatusSucceeded, it.now(), outs
	rec.Secret = it.noteOutputs(s.Outputs, outs)
	sc.steps[s.Name] = outs
	return it.route(rec, s, it.env(sc))
}

// route picks the first branch whose condition holds, else the default.
// In a playbook the conditions evaluated are kept as evidence.
func (it *interp) route(rec *engine.StepRecord, s *engine.PlanStep, env map[string]any) (string, error) {
	var results []bool
	if it.playbook {
		defer func() { it.evidence(s, results, env) }()
	}
	for _, b := range s.Branch {
		ok, err := it.bool(b.When, env)
		if err != nil {
			return "", it.stepFailed(rec, asStepError(err))
		}
		results = append(results, ok)
		if ok {
			return b.Goto, nil
		}
	}
	return s.Default, nil
}

// onFailure applies the step's onFailure: abort (the default), continue or
// goto.
func (it *interp) onFailure(rec *engine.StepRecord, s *engine.PlanStep, sc *frame, err error) (string, error) {
	se := it.hideError(asStepError(err))
	rec.Status, rec.End, rec.Error = engine.StatusFailed, it.now(), se
	sc.steps[s.Name] = nil
	switch {
	case s.OnFailure == "continue":
		return "", nil
	case strings.HasPrefix(s.OnFailure, "goto:"):
		return strings.TrimPrefix(s.OnFailure, "goto:"), nil
	}
	return "", &failure{step: rec.Name, err: se}
}

func (it *interp) stepFailed(rec *engine.StepRecord, se *engine.StepError) error {
	se = it.hideError(se)
	rec.Status, rec.End, rec.Error = engine.StatusFailed, it.now(), se
	return &failure{step: rec.Name, err: se}
}

// asStepError turns an activity or expression error into a StepError with
// the AWS error code (the ApplicationError's type) when there is one.
func asStepError(err error) *engine.StepError {
	var se *engine.StepError
	var app *temporal.ApplicationError
	var timeout *temporal.TimeoutError
	switch {
	case errorsAs(err, &se):
		return se
	case errorsAs(err, &app):
		return &engine.StepError{Type: app.Type(), Message: app.Message()}
	case errorsAs(err, &timeout):
		return &engine.StepError{Type: "Timeout", Message: "the step timed out"}
	}
	return &engine.StepError{Type: "Error", Message: err.Error()}
}

// kind runs the step's kind and returns its outputs.
func (it *interp) kind(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, sc *frame, visit int) (map[string]any, error) {
	env := it.env(sc)
	if outs, handled, err := it.dryRun(ctx, s, rec, env); handled {
		return outs, err
	}
	switch s.Kind {
	case "", "log":
		if s.Kind == "log" {
			msg, err := it.text(s.Main, env)
			if err != nil {
				return nil, err
			}
			rec.Message = it.hide(msg)
			workflow.GetLogger(ctx).Info("log", "step", s.Name, "message", rec.Message)
		}
		return it.outputs(s, env, nil)
	case "sleep":
		d, err := it.duration(s.Main, env)
		if err != nil {
			return nil, err
		}
		if err := workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: "sleep " + engine.FormatDuration(d) + " (step " + s.Name + ")"}).Get(ctx, nil); err != nil {
			return nil, err
		}
		return it.outputs(s, env, nil)
	case "assert":
		return it.assert(ctx, s, rec, env, visit)
	case "aws", "waitFor":
		return it.call(ctx, s, rec, env, visit)
	case "fail", "succeed":
		msg, err := it.text(s.Main, env)
		if err != nil {
			return nil, err
		}
		msg = it.hide(msg)
		rec.Message = msg
		it.out.Message = msg
		if s.Kind == "fail" {
			return nil, &engine.StepError{Type: "Fail", Message: msg}
		}
		return nil, errEnd
	}
	// Executions started before these kinds existed failed on them: they
	// still do when replayed.
	if workflow.GetVersion(ctx, "kinds-approve-run-forEach-http-script", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, &engine.StepError{Type: "Unsupported", Message: "step kind " + s.Kind + " is not available in this build yet"}
	}
	switch s.Kind {
	case "conclude":
		if it.playbook {
			return nil, it.conclude(ctx, s, rec, env)
		}
	case "approve":
		return it.approve(ctx, s, rec, env)
	case "run":
		return it.child(ctx, s, rec, env, visit)
	case "forEach":
		return it.forEach(ctx, s, rec, sc, env)
	case "http", "script":
		return it.call(ctx, s, rec, env, visit)
	}
	return nil, &engine.StepError{Type: "Unsupported", Message: "step kind " + s.Kind + " is not available in this build"}
}

func (it *interp) assert(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any, visit int) (map[string]any, error) {
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
		res, err := it.callActivity(ctx, s, rec, env, visit, s.Arg("condition"))
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

func (it *interp) call(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any, visit int) (map[string]any, error) {
	res, err := it.callActivity(ctx, s, rec, env, visit, s.Arg("until"))
	if err != nil {
		return nil, err
	}
	return res.Outputs, nil
}

// callActivity runs the activity of step s (aws, waitFor, assert's
// mapping form, http, script).
func (it *interp) callActivity(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any, visit int, until *engine.Value) (*engine.CallResult, error) {
	c := engine.Call{Step: s.Name, Op: it.opName(s), Outputs: s.Outputs, Env: env, Seal: it.secrets.Known()}
	var in any
	var err error
	switch s.Kind {
	case "http", "script":
		in, err = it.resolveArgs(s, env)
	default:
		in, err = it.resolve(s.Arg("input"), env)
	}
	if err != nil {
		return nil, err
	}
	if m, ok := in.(map[string]any); ok {
		c.Input = m
	}
	if c.Region, err = it.textOr(s.Region, it.in.Plan.Region, env); err != nil {
		return nil, err
	}
	if c.AssumeRole, err = it.textOr(s.AssumeRole, it.in.Plan.AssumeRole, env); err != nil {
		return nil, err
	}
	if until != nil {
		c.Until = until.Tmpl.Parts[0].Expr
	}
	if s.Idempotent {
		c.Token = idempotencyToken(it.exec["id"].(string), rec.Name, visit)
	}
	c.DryRun = it.in.DryRun && !s.ReadOnly && (s.Kind == "aws" || s.Kind == "waitFor" || s.Kind == "assert")
	name, opts, err := it.activityOptions(s, rec, env, visit)
	if err != nil {
		return nil, err
	}
	if s.Kind == "waitFor" {
		c.Interval = 15 * time.Second
		if iv := s.Arg("interval"); iv != nil {
			if c.Interval, err = it.duration(iv, env); err != nil {
				return nil, err
			}
		}
	}
	var res engine.CallResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), name, c).Get(ctx, &res); err != nil {
		return nil, err
	}
	for _, v := range res.Secrets {
		it.secret(v)
	}
	it.dryCall(s, rec, c, &res)
	if res.Outputs == nil && len(s.Outputs) > 0 { // a dry run's call not sent
		res.Outputs = map[string]any{}
	}
	for _, o := range s.Outputs {
		res.Outputs[o.Name] = engine.Coerce(res.Outputs[o.Name], o.Type)
	}
	return &res, nil
}

// idempotencyToken derives a mutating call's idempotency token from the
// execution, the step's record name (which holds the loop indexes) and the
// visit: stable across retries and worker restarts, distinct for each
// intended effect.
func idempotencyToken(execID, step string, visit int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/<nil>/%d", execID, step, visit))
	return hex.EncodeToString(sum[:16])
}
