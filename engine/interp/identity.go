package interp

import (
	"bytes"
	"encoding/json"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// identity fills execution.account and execution.region, for plans that
// read them, with sts:GetCallerIdentity under the plan's region and role:
// an activity, so replays see the recorded values. Executions started
// before did without (they read ""): behind GetVersion.
func (it *interp) identity(ctx workflow.Context) *engine.StepError {
	if !readsIdentity(it.in.Plan) || it.version("execution-identity") != 1 {
		return nil
	}
	env := it.env(it.root)
	c := it.newCall("execution")
	c.Op, c.Outputs = "sts:GetCallerIdentity", []*engine.PlanOutput{{Name: "account", Expr: &engine.Expr{Src: "result.Account"}}}
	var err error
	if c.Region, err = it.text(it.in.Plan.Region, env); err != nil {
		return asStepError(err)
	}
	if c.AssumeRole, err = it.text(it.in.Plan.AssumeRole, env); err != nil {
		return asStepError(err)
	}
	opts := workflow.ActivityOptions{
		ActivityID: "execution#identity", Summary: "execution identity (sts:GetCallerIdentity)",
		StartToCloseTimeout: defaultCallTimeout, HeartbeatTimeout: callHeartbeat,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: defaultInterval, BackoffCoefficient: 2, MaximumAttempts: 3},
	}
	var res engine.CallResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), engine.ActivityAWS, c).Get(ctx, &res); err != nil {
		se := asStepError(err)
		return &engine.StepError{Type: se.Type, Message: "execution.account and execution.region: sts:GetCallerIdentity failed: " + se.Message}
	}
	it.exec["account"], it.exec["region"] = res.Outputs["account"], res.Region
	return nil
}

// readsIdentity reports whether an expression of p (or of a plan it
// pins) reads execution.account or execution.region.
//
//workflowcheck:ignore
func readsIdentity(p *engine.Plan) bool {
	b, _ := json.Marshal(p)
	return bytes.Contains(b, []byte("execution.account")) || bytes.Contains(b, []byte("execution.region"))
}
