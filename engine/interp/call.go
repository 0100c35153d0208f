package interp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/workflow"
)

// call runs the activity of an activity kind.
func (it *interp) call(ctx workflow.Context, s *engine.PlanStep, k *engine.Kind, rec *engine.StepRecord, env map[string]any, visit int) (map[string]any, error) {
	res, err := it.callActivity(ctx, s, k, rec, env, visit, s.Arg("until"))
	if err != nil {
		return nil, err
	}
	return res.Outputs, nil
}

// callActivity runs the activity step s calls (Kind.Calls): an AWS
// operation with its input, else the kind's fields (an HTTP request, a
// program).
func (it *interp) callActivity(ctx workflow.Context, s *engine.PlanStep, k *engine.Kind, rec *engine.StepRecord, env map[string]any, visit int, until *engine.Value) (*engine.CallResult, error) {
	activity, target := k.Calls(s)
	c := it.newCall(s.Name)
	c.Op, c.Outputs, c.Env = target, s.Outputs, env
	aws := k.Operation(s) != ""
	var in any
	var err error
	if aws {
		in, err = it.resolve(s.Arg("input"), env)
	} else {
		in, err = it.resolveArgs(s, env)
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
	c.DryRun = it.in.DryRun && !s.ReadOnly && aws
	opts, err := it.activityOptions(s, k, rec, env, visit, target)
	if err != nil {
		return nil, err
	}
	if k.OwnTimeout { // a wait polls
		c.Interval = 15 * time.Second
		if iv := s.Arg("interval"); iv != nil {
			if c.Interval, err = it.duration(iv, env); err != nil {
				return nil, err
			}
		}
	}
	var res engine.CallResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), activity, c).Get(ctx, &res); err != nil {
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
