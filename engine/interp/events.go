package interp

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// guardEvents is the workflow.GetVersion change that brought
// definition-level notify: executions started before announce nothing.
const guardEvents = "notify-events"

// WithPublicURL makes notices link to the execution's page under u, the
// root URL people reach `runbook serve` at (its --public-url): u +
// /ui/executions/ID. The link is in the notices' text, not a command:
// changing it never breaks a replay.
func WithPublicURL(u string) Option {
	return func(cf *config) { cf.publicURL = strings.TrimRight(u, "/") }
}

// link is the execution's page, "" when no public URL is known.
func (it *interp) link() string {
	if it.publicURL == "" {
		return ""
	}
	return it.publicURL + "/ui/executions/" + url.PathEscape(it.exec["id"].(string))
}

// announceEnd announces how the execution ended: concluded (a playbook's
// finding), succeeded, or failed (timed out included). A cancelled
// execution announces nothing.
func (it *interp) announceEnd(ctx workflow.Context) {
	switch {
	case it.out.Status == engine.StatusSucceeded && it.out.Finding != nil:
		it.announce(ctx, engine.EventConcluded)
	case it.out.Status == engine.StatusSucceeded:
		it.announce(ctx, engine.EventSucceeded)
	case it.out.Status == engine.StatusFailed, it.out.Status == engine.StatusTimedOut:
		it.announce(ctx, engine.EventFailed)
	}
}

// announce sends the event's notices to every target of the plan's
// notify that lists it, all at once, and waits for them. Best effort: a
// notice that fails is logged and noted on the outcome (Notices); the
// execution goes on as it would have.
func (it *interp) announce(ctx workflow.Context, event string) {
	if !it.events {
		return
	}
	ctx, _ = workflow.NewDisconnectedContext(ctx) // the end of a timed-out execution too
	type sent struct {
		rec *engine.NoticeSent
		f   workflow.Future
		err error
	}
	var all []sent
	env := it.env(it.root)
	for i, n := range it.in.Plan.Notify {
		if !slices.Contains(n.On, event) {
			continue
		}
		s := sent{rec: &engine.NoticeSent{Event: event, Target: n.Target}}
		var name, what string
		var in any
		if name, what, in, s.err = it.eventNotice(n, event, env); s.err == nil {
			opts := workflow.ActivityOptions{
				ActivityID: "@" + event + "#" + strconv.Itoa(i), Summary: "notify " + event + ": " + what,
				StartToCloseTimeout: time.Minute, ScheduleToCloseTimeout: 5 * time.Minute,
				RetryPolicy: &temporal.RetryPolicy{InitialInterval: defaultInterval, BackoffCoefficient: 2, MaximumAttempts: 3},
			}
			s.f = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), name, in)
		}
		all = append(all, s)
	}
	for _, s := range all {
		if s.f != nil {
			s.err = s.f.Get(ctx, nil)
		}
		if s.err != nil {
			s.rec.Error = it.hide(asStepError(s.err).Message)
			workflow.GetLogger(ctx).Warn("notice failed", "event", event, "target", s.rec.Target, "error", s.rec.Error)
		}
		it.out.Notices = append(it.out.Notices, s.rec)
	}
}

// eventNotice is the activity that sends the event to target n, what it
// calls (for its summary) and its input.
//
// Deterministic: built from recorded values (workflowcheck flags
// fmt.Sprint and Shown).
//
//workflowcheck:ignore
func (it *interp) eventNotice(n *engine.PlanNotify, event string, env map[string]any) (name, what string, in any, err error) {
	subject, text := it.eventText(event)
	switch n.Target {
	case "sns":
		arn, err := it.text(n.Value, env)
		if err != nil {
			return "", "", nil, err
		}
		c := it.newCall("@" + event)
		c.Op, c.Input = "sns:Publish", map[string]any{"TopicArn": arn, "Subject": cut(subject, 100), "Message": text}
		if c.Region, err = it.text(it.in.Plan.Region, env); err != nil {
			return "", "", nil, err
		}
		return engine.ActivityAWS, "sns:Publish", c, nil
	case "http":
		v, err := it.resolve(n.Value, env)
		if err != nil {
			return "", "", nil, err
		}
		req, ok := v.(map[string]any)
		if !ok {
			return "", "", nil, &engine.StepError{Type: "InvalidPlan", Message: "the http target is not a request"}
		}
		if req["method"] == nil {
			req["method"] = "POST"
		}
		if req["body"] == nil {
			req["body"] = it.eventBody(event, text)
		}
		c := it.newCall("@" + event)
		c.Op, c.Input = fmt.Sprint(req["method"]), req
		return engine.ActivityHTTP, "http " + c.Op, c, nil
	case "slack":
		ch, err := it.text(n.Value.Field("channel"), env)
		if err != nil {
			return "", "", nil, err
		}
		sn := engine.SlackNotice{Channel: ch, Text: text, Execution: it.exec["id"].(string), Runbook: it.runbook(), Event: event, URL: it.link()}
		if event == engine.EventFailed {
			sn.Step, sn.Error = it.out.Failed, it.failure()
		}
		if event == engine.EventConcluded {
			sn.Finding = it.out.Shown().Finding
		}
		return engine.ActivitySlack, "slack " + ch, sn, nil
	case "pagerduty":
		ev := it.pagerDuty(n.Value.Field("service").Str, event, subject)
		return engine.ActivityPagerDuty, "pagerduty " + ev.Action, ev, nil
	}
	return "", "", nil, &engine.StepError{Type: "InvalidPlan", Message: "unknown notify target " + n.Target}
}

// cut keeps s to n bytes, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
