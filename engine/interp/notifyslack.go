package interp

import (
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// notifySlack posts a human step's wait to a Slack channel through the
// slack activity (engine.ActivitySlack): the notice's text, and the
// step's request, which the message's buttons name. Only definitions with
// a `slack` notify reach it, so it needs no guard of its own beyond the
// kind's. A post that fails is noted on the step, which goes on waiting.
func (it *interp) notifySlack(ctx workflow.Context, rec *engine.StepRecord, sl *engine.Value, env map[string]any) {
	channel, err := it.text(sl.Field("channel"), env)
	if err == nil {
		_, text, _ := it.notice(rec)
		n := engine.SlackNotice{
			Channel: channel, Text: text, Execution: it.exec["id"].(string), Runbook: it.in.Plan.Name + "@" + it.in.Plan.Version,
			Step: rec.Name, Approval: rec.Approval, URL: it.link(),
		}
		opts := workflow.ActivityOptions{
			ActivityID: rec.Name + "#notify", Summary: "notify slack " + channel + " (step " + rec.Name + ")",
			StartToCloseTimeout: time.Minute,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: defaultInterval, BackoffCoefficient: 2, MaximumAttempts: 3},
		}
		var posted engine.SlackPosted
		err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), engine.ActivitySlack, n).Get(ctx, &posted)
	}
	if err != nil && ctx.Err() == nil {
		se := asStepError(err)
		rec.Message += " (notify failed: " + se.Message + ")"
		workflow.GetLogger(ctx).Warn("notify failed", "step", rec.Name, "error", se.Message)
	}
}
