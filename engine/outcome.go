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

// Shown is o as the CLI, the API and the web page show it: the outputs
// that hold a secret (StepRecord.Secret, SecretOutputs), and their values
// wherever else they appear, replaced by ***. Nil stays nil.
func (o *Outcome) Shown() *Outcome {
	if o == nil || !o.Seal && len(o.SecretOutputs) == 0 {
		return o
	}
	r := &redactor{}
	for _, n := range o.SecretOutputs {
		r.collect(o.Outputs[n])
	}
	for _, s := range o.Steps {
		for _, n := range s.Secret {
			r.collect(s.Outputs[n])
		}
	}
	r.strs = sortSecrets(r.strs)
	c := *o
	c.Outputs, c.Message, c.Error = r.fields(o.Outputs, nil), r.text(o.Message), r.err(o.Error)
	c.Steps = make([]*StepRecord, len(o.Steps))
	for i, s := range o.Steps {
		x := *s
		x.Outputs, x.Message, x.Error = r.fields(s.Outputs, nil), r.text(s.Message), r.err(s.Error)
		c.Steps[i] = &x
	}
	if f := o.Finding; f != nil {
		x := *f
		x.Finding = r.text(f.Finding)
		if rc := f.Recommend; rc != nil {
			y := *rc
			y.Params, y.Command = r.fields(rc.Params, nil), r.text(rc.Command)
			x.Recommend = &y
		}
		c.Finding = &x
	}
	return &c
}
