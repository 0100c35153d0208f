package interp

import (
	"fmt"
	"strings"

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
