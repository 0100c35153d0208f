package interp

import (
	"fmt"
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
