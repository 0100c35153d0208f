package engine

import (
	"bytes"
	"encoding/json"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// identity fills execution.account and execution.region, for plans that
// read them, with sts:GetCallerIdentity under the plan's region and role:
// an activity, so replays see the recorded values. Executions started
// before did without (they read ""): behind GetVersion.
func (it *interp) identity(ctx workflow.Context) *StepError {
	if !readsIdentity(it.in.Plan) || it.version("execution-identity") != 1 {
		return nil
	}
	env := it.env(it.root)
	c := Call{Step: "execution", Op: "sts:GetCallerIdentity", Seal: it.secrets.Known(),
		Outputs: []*PlanOutput{{Name: "account", Expr: &Expr{Src: "result.Account"}}}}
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
	var res CallResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), ActivityAWS, c).Get(ctx, &res); err != nil {
		se := asStepError(err)
		return &StepError{Type: se.Type, Message: "execution.account and execution.region: sts:GetCallerIdentity failed: " + se.Message}
	}
	it.exec["account"], it.exec["region"] = res.Outputs["account"], res.Region
	return nil
}

// readsIdentity reports whether an expression of p (or of a plan it
// pins) reads execution.account or execution.region.
//
//workflowcheck:ignore
func readsIdentity(p *Plan) bool {
	b, _ := json.Marshal(p)
	return bytes.Contains(b, []byte("execution.account")) || bytes.Contains(b, []byte("execution.region"))
}
