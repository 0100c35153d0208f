package interp

import (
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// notify announces a human step's wait through SNS (sns:Publish), an
// HTTP request or Slack (notifySlack), with the commands that act on it.
// A notification that fails is noted on the step, which goes on waiting.
func (it *interp) notify(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, n *engine.Value, env map[string]any) {
	if sl := n.Field("slack"); sl != nil {
		it.notifySlack(ctx, rec, sl, env)
		return
	}
	subject, text, body := it.notice(rec)
	c := it.newCall(s.Name)
	c.Env = env
	name, what := engine.ActivityAWS, "sns:Publish"
	var err error
	if topic := n.Field("sns"); topic != nil {
		var arn string
		if arn, err = it.text(topic, env); err == nil {
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
				req["body"] = body
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

// notice is what announces a human step: the subject, the text (what is
// asked, until when, the commands that act) and an HTTP notice's body.
//
// Deterministic: text built in a strings.Builder from recorded values
// (workflowcheck flags fmt.Fprintf to any io.Writer).
//
//workflowcheck:ignore
func (it *interp) notice(rec *engine.StepRecord) (subject, text string, body map[string]any) {
	a := rec.Approval
	id := it.exec["id"].(string)
	body = map[string]any{
		"execution": id, "runbook": it.in.Plan.Name, "version": it.in.Plan.Version, "step": rec.Name, "message": a.Message,
		"deadline": a.Deadline.UTC().Format(time.RFC3339), "request": a.Request,
	}
	head := fmt.Sprintf("%s@%s (execution %s) waits at step %s", it.in.Plan.Name, it.in.Plan.Version, id, rec.Name)
	if a.Reminders > 0 {
		head = fmt.Sprintf("Reminder %d: %s", a.Reminders, head)
		body["reminder"] = a.Reminders
	}
	who := a.Who()
	if a.Kind == "" {
		approve := fmt.Sprintf("runbook approve %s --step %s --request %s", id, rec.Name, a.Request)
		reject := fmt.Sprintf("runbook reject %s --step %s --request %s --comment WHY", id, rec.Name, a.Request)
		text = fmt.Sprintf("%s\n\n%s for %s from %s until %s.\nApprove: %s\nReject:  %s\n",
			a.Message, head, a.Awaits(), who, a.Deadline.UTC().Format(time.RFC3339), approve, reject)
		text += it.linkLine(body)
		body["approvers"], body["minApprovals"], body["approve"], body["reject"] = a.Approvers, a.MinApprovals, approve, reject
		body["text"] = text
		return fmt.Sprintf("Approval needed: %s step %s", it.in.Plan.Name, rec.Name), text, body
	}
	var b strings.Builder
	b.WriteString(fmt.Sprintf("%s\n\n", a.Message))
	for _, l := range a.Links {
		b.WriteString(fmt.Sprintf("%s: %s\n", l.Title, l.URL))
	}
	for _, c := range a.Checklist {
		b.WriteString(fmt.Sprintf("[ ] %s\n", c))
	}
	act := ActCommand(id, rec.Name, a)
	b.WriteString(fmt.Sprintf("\n%s for %s from %s until %s.\n%s\n", head, a.Awaits(),
		who, a.Deadline.UTC().Format(time.RFC3339), act))
	b.WriteString(it.linkLine(body))
	body["kind"], body["assignees"], body["links"], body["checklist"], body["fields"], body["act"] = a.Kind, a.Approvers, a.Links, a.Checklist, a.Fields, act
	body["text"] = b.String()
	verb := map[string]string{"manual": "Action needed", "ask": "Question"}[a.Kind]
	return fmt.Sprintf("%s: %s step %s", verb, it.in.Plan.Name, rec.Name), b.String(), body
}

// ActCommand is the command that acts on a waiting manual or ask step:
// `runbook done` with each checklist item confirmed, or `runbook answer`
// with a placeholder per field.
//
// Deterministic: text built in a strings.Builder from recorded values
// (workflowcheck flags fmt.Fprintf to any io.Writer).
//
//workflowcheck:ignore
func ActCommand(id, step string, a *engine.Approval) string {
	var b strings.Builder
	b.WriteString(fmt.Sprintf("runbook %s %s --step %s --request %s", a.Verb(), id, step, a.Request))
	for _, c := range a.Checklist {
		b.WriteString(fmt.Sprintf(" --check %q", c))
	}
	if a.Kind == "manual" {
		b.WriteString(" --note TEXT")
	}
	for _, f := range a.Fields {
		b.WriteString(fmt.Sprintf(" -f %s=%s", f.Name, strings.ToUpper(f.Type)))
	}
	return b.String()
}

// linkLine is the line that links a notice to the execution's page, ""
// when no public URL is known; body (an HTTP notice's) gets it as url.
func (it *interp) linkLine(body map[string]any) string {
	u := it.link()
	if u == "" {
		return ""
	}
	body["url"] = u
	return "Execution: " + u + "\n"
}
