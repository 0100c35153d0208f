package interp

import (
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// notify announces an approval wait through SNS (sns:Publish) or an HTTP
// request, with the commands that approve and reject. A notification
// that fails is noted on the step, which goes on waiting.
func (it *interp) notify(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, n *engine.Value, env map[string]any) {
	a := rec.Approval
	id := it.exec["id"].(string)
	approve := fmt.Sprintf("runbook approve %s --step %s --request %s", id, rec.Name, a.Request)
	reject := fmt.Sprintf("runbook reject %s --step %s --request %s --comment WHY", id, rec.Name, a.Request)
	text := fmt.Sprintf("%s\n\n%s@%s (execution %s) waits at step %s for %d approval(s) from %s until %s.\nApprove: %s\nReject:  %s\n",
		a.Message, it.in.Plan.Name, it.in.Plan.Version, id, rec.Name, a.MinApprovals,
		strings.Join(a.Approvers, ", "), a.Deadline.UTC().Format(time.RFC3339), approve, reject)
	c := it.newCall(s.Name)
	c.Env = env
	name, what := engine.ActivityAWS, "sns:Publish"
	var err error
	if topic := n.Field("sns"); topic != nil {
		var arn string
		if arn, err = it.text(topic, env); err == nil {
			subject := fmt.Sprintf("Approval needed: %s step %s", it.in.Plan.Name, rec.Name)
			c.Op, c.Input = what, map[string]any{"TopicArn": arn, "Subject": subject[:min(len(subject), 100)], "Message": text}
			c.Region, err = it.textOr(s.Region, it.in.Plan.Region, env)
		}
	} else {
		name, what = engine.ActivityHTTP, "http"
		var in any
		if in, err = it.resolve(n.Field("http"), env); err == nil {
			req, _ := in.(map[string]any)
			if req["method"] == nil {
				req["method"] = "POST"
			}
			if req["body"] == nil {
				req["body"] = map[string]any{
					"text": text, "execution": id, "runbook": it.in.Plan.Name, "version": it.in.Plan.Version,
					"step": rec.Name, "message": a.Message, "approvers": a.Approvers, "minApprovals": a.MinApprovals,
					"deadline": a.Deadline.UTC().Format(time.RFC3339), "approve": approve, "reject": reject, "request": a.Request,
				}
			}
			c.Op, c.Input = fmt.Sprint(req["method"]), req
		}
	}
	if err == nil {
		opts := workflow.ActivityOptions{
			ActivityID: rec.Name + "#notify", Summary: "notify " + what + " (step " + rec.Name + ")",
			StartToCloseTimeout: time.Minute, HeartbeatTimeout: callHeartbeat,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: defaultInterval, BackoffCoefficient: 2, MaximumAttempts: 3},
		}
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), name, c).Get(ctx, nil)
	}
	if err != nil && ctx.Err() == nil {
		se := asStepError(err)
		rec.Message += " (notify failed: " + se.Message + ")"
		workflow.GetLogger(ctx).Warn("notify failed", "step", rec.Name, "error", se.Message)
	}
}
