package engine

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// OutcomeOf recovers the Outcome from the error a finished execution's
// result gave: a failed or cancelled execution carries it in the error's
// details; a terminated or timed-out workflow gets an outcome of that
// status. Nil when err is none of those (an unreachable server, say).
func OutcomeOf(err error) *Outcome {
	var out Outcome
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
		return &Outcome{Status: StatusCancelled}
	case errors.As(err, &terminated):
		return &Outcome{Status: "terminated", Error: &StepError{Message: err.Error()}}
	case errors.As(err, &timeout):
		return &Outcome{Status: StatusTimedOut, Error: &StepError{Message: err.Error()}}
	}
	return nil
}
