package interp

import (
	"errors"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
)

// OutcomeOf recovers the Outcome from the error a finished execution's
// result gave: a failed or cancelled execution carries it in the error's
// details; a terminated or timed-out workflow gets an outcome of that
// status. Nil when err is none of those (an unreachable server, say).
func OutcomeOf(err error) *engine.Outcome {
	var out engine.Outcome
	var app *temporal.ApplicationError
	var canceled *temporal.CanceledError
	var terminated *temporal.TerminatedError
	var timeout *temporal.TimeoutError
	switch {
	case errors.As(err, &app) && app.HasDetails() && app.Details(&out) == nil:
		return &out
	case errors.As(err, &canceled) && canceled.HasDetails() && canceled.Details(&out) == nil:
		return &out
	case errors.As(err, &canceled):
		return &engine.Outcome{Status: engine.StatusCancelled}
	case errors.As(err, &terminated):
		return &engine.Outcome{Status: "terminated", Error: &engine.StepError{Message: err.Error()}}
	case errors.As(err, &timeout):
		return &engine.Outcome{Status: engine.StatusTimedOut, Error: &engine.StepError{Message: err.Error()}}
	}
	return nil
}
