package interp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Defaults of the step policies.
const (
	defaultCallTimeout = 2 * time.Minute
	defaultWaitTimeout = 30 * time.Minute
	defaultInterval    = time.Second
	// callHeartbeat is the heartbeat timeout of calls (aws, http, script):
	// they heartbeat while they run, so a worker lost mid-call is noticed
	// within it and the call is retried (when its policy allows) elsewhere.
	callHeartbeat = 10 * time.Second
)

// activityOptions maps a step's timeout and retry to the options of the
// activity it calls (target: what it calls): the step timeout bounds the
// whole step, retries included; without retry, read-only calls and calls
// that carry an idempotency token get 3 attempts (the activity marks
// errors other than throttling and 5xx non-retryable), other mutating
// calls one. A wait (a kind with its own timeout) polls until it.
func (it *interp) activityOptions(s *engine.PlanStep, k *engine.Kind, rec *engine.StepRecord, env map[string]any, visit int, target string) (workflow.ActivityOptions, error) {
	opts := workflow.ActivityOptions{
		ActivityID: fmt.Sprintf("%s#%d", rec.Name, visit),
		Summary:    fmt.Sprintf("%s %s (step %s)", s.Kind, target, rec.Name),
	}
	if k.OwnTimeout {
		d := defaultWaitTimeout
		if t := s.Arg("timeout"); t != nil {
			var err error
			if d, err = it.duration(t, env); err != nil {
				return opts, err
			}
		}
		// Polls heartbeat; a lost worker is noticed within the heartbeat
		// timeout and the poll resumes elsewhere, until the deadline.
		opts.ScheduleToCloseTimeout, opts.StartToCloseTimeout = d, d
		opts.HeartbeatTimeout = 30 * time.Second
		opts.RetryPolicy = &temporal.RetryPolicy{InitialInterval: defaultInterval, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second}
		return opts, nil
	}
	opts.StartToCloseTimeout, opts.HeartbeatTimeout = defaultCallTimeout, callHeartbeat
	if s.Timeout != nil {
		d, err := it.duration(s.Timeout, env)
		if err != nil {
			return opts, err
		}
		opts.ScheduleToCloseTimeout, opts.StartToCloseTimeout = d, d
	}
	rp := &temporal.RetryPolicy{InitialInterval: defaultInterval, BackoffCoefficient: 2, MaximumAttempts: 1}
	if k.ReadOnly(s) || s.Idempotent {
		rp.MaximumAttempts = 3
	}
	if r := s.Retry; r != nil {
		rp.MaximumAttempts, rp.BackoffCoefficient = int32(r.MaxAttempts), r.Backoff
		if r.Interval != nil {
			d, err := it.duration(r.Interval, env)
			if err != nil {
				return opts, err
			}
			rp.InitialInterval = d
		}
	}
	opts.RetryPolicy = rp
	return opts, nil
}

// outputs evaluates a step's outputs in the workflow (kinds without an
// activity: their outputs read only recorded values).
func (it *interp) outputs(s *engine.PlanStep, env map[string]any, result any) (map[string]any, error) {
	if len(s.Outputs) == 0 {
		return nil, nil
	}
	if result != nil {
		env = engine.WithKey(env, "result", result)
	}
	self := ""
	if selfRead(s) && it.version("self-outputs") == 1 {
		self = s.Name
	}
	outs, err := engine.EvalStepOutputs(self, s.Outputs, env, it.now)
	if err != nil {
		return nil, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	return outs, nil
}

func (it *interp) bool(e *engine.Expr, env map[string]any) (bool, error) {
	v, err := engine.Eval(e, env, it.now)
	if err != nil {
		return false, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	b, ok := v.(bool)
	if !ok {
		return false, &engine.StepError{Type: "ExpressionError", Message: fmt.Sprintf("%s gave %v, not a bool", e.Src, v)}
	}
	return b, nil
}

func (it *interp) resolve(v *engine.Value, env map[string]any) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, err := engine.Resolve(v, env, it.now)
	if err != nil {
		return nil, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	return out, nil
}

// resolveArgs resolves a step's kind fields into a map (http, script).
func (it *interp) resolveArgs(s *engine.PlanStep, env map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(s.Args))
	for _, e := range s.Args {
		v, err := it.resolve(e.Value, env)
		if err != nil {
			return nil, err
		}
		out[e.Key] = v
	}
	return out, nil
}

// text resolves a value to a string.
func (it *interp) text(v *engine.Value, env map[string]any) (string, error) {
	out, err := it.resolve(v, env)
	if err != nil || out == nil {
		return "", err
	}
	if s, ok := out.(string); ok {
		return s, nil
	}
	return fmt.Sprint(out), nil
}

// textOr resolves the step's value, else the definition's.
func (it *interp) textOr(step, def *engine.Value, env map[string]any) (string, error) {
	if step != nil {
		return it.text(step, env)
	}
	return it.text(def, env)
}

func (it *interp) duration(v *engine.Value, env map[string]any) (time.Duration, error) {
	s, err := it.text(v, env)
	if err != nil {
		return 0, err
	}
	d, err := engine.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, &engine.StepError{Type: "InvalidDuration", Message: fmt.Sprintf("%q is not a positive duration", s)}
	}
	return d, nil
}

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }

// selfRead reports whether one of s's outputs reads another of them.
func selfRead(s *engine.PlanStep) bool {
	return slices.ContainsFunc(s.Outputs, func(o *engine.PlanOutput) bool { return strings.Contains(o.Expr.Src, "steps."+s.Name+".") })
}
