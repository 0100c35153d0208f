package interp

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// runbook is the definition as NAME@VERSION.
func (it *interp) runbook() string { return it.in.Plan.Name + "@" + it.in.Plan.Version }

// failure is why the execution failed, its secrets hidden.
func (it *interp) failure() string {
	if it.out.Error == nil {
		return ""
	}
	return it.hide(it.out.Error.Message)
}

// eventText is what announces an event to people: a subject and the
// text: the definition, the execution, the event, then the failing step
// and its error, or the finding with its evidence and recommendation,
// and the execution's page when known.
//
// Deterministic: text built in a strings.Builder from recorded values
// (workflowcheck flags fmt.Fprintf to any io.Writer).
//
//workflowcheck:ignore
func (it *interp) eventText(event string) (subject, text string) {
	var b strings.Builder
	id := it.exec["id"].(string)
	head := fmt.Sprintf("%s (execution %s)", it.runbook(), id)
	switch event {
	case engine.EventStarted:
		subject = fmt.Sprintf("Started: %s", it.runbook())
		fmt.Fprintf(&b, "%s started", head)
		if it.in.StartedBy != "" {
			fmt.Fprintf(&b, ", by %s", it.in.StartedBy)
		}
		if a := it.in.Alarm; a != nil {
			fmt.Fprintf(&b, ", on alarm %v (%v at %v)", a["name"], a["state"], a["time"])
		} else if it.in.Trigger != "" {
			fmt.Fprintf(&b, " (%s)", it.in.Trigger)
		}
		b.WriteString(".\n")
	case engine.EventFailed:
		what := "failed"
		if it.out.Status == engine.StatusTimedOut {
			what = "timed out"
		}
		subject = fmt.Sprintf("Failed: %s", it.runbook())
		if it.out.Failed != "" {
			subject += " at step " + it.out.Failed
			what += " at step " + it.out.Failed
		}
		fmt.Fprintf(&b, "%s %s: %s\n", head, what, it.failure())
	case engine.EventConcluded:
		f := it.out.Shown().Finding
		subject = fmt.Sprintf("Finding (%s): %s", f.Severity, it.runbook())
		fmt.Fprintf(&b, "%s concluded.\n", head)
		var fb strings.Builder
		f.Text(&fb, it.out.Path, true)
		b.WriteString(it.hide(fb.String()))
	case engine.EventSucceeded:
		subject = fmt.Sprintf("Succeeded: %s", it.runbook())
		fmt.Fprintf(&b, "%s succeeded", head)
		if m := it.hide(it.out.Shown().Message); m != "" {
			fmt.Fprintf(&b, ": %s", m)
		}
		b.WriteString(".\n")
	}
	b.WriteString(it.linkLine(map[string]any{}))
	return subject, b.String()
}

// eventBody is an http target's body when it gives none: the event as
// JSON.
//
// Deterministic: a map of recorded values (workflowcheck flags Shown).
//
//workflowcheck:ignore
func (it *interp) eventBody(event, text string) map[string]any {
	body := map[string]any{
		"event": event, "execution": it.exec["id"], "runbook": it.in.Plan.Name, "version": it.in.Plan.Version,
		"status": it.out.Status, "text": text, "startedBy": it.in.StartedBy, "trigger": it.in.Trigger,
	}
	if u := it.link(); u != "" {
		body["url"] = u
	}
	switch event {
	case engine.EventFailed:
		body["step"], body["error"] = it.out.Failed, it.failure()
	case engine.EventConcluded:
		body["finding"] = it.out.Shown().Finding
	}
	return body
}

// pagerDuty is the Events API v2 event announcing event to service:
// trigger on failed (severity error) and concluded (the finding's
// severity), resolve on succeeded, deduplicated by dedupKey. The routing
// key is named, never written: "service:NAME", which the worker
// resolves, so it stays out of the history.
//
// Deterministic: built from recorded values (workflowcheck flags
// fmt.Fprintf to a strings.Builder and Shown).
//
//workflowcheck:ignore
func (it *interp) pagerDuty(service, event, subject string) engine.PagerDutyEvent {
	ev := engine.PagerDutyEvent{RoutingKey: "service:" + service, Action: "trigger", DedupKey: it.dedupKey(), URL: it.link()}
	if event == engine.EventSucceeded {
		ev.Action = "resolve"
		return ev
	}
	_, text := it.eventText(event)
	ev.Summary, ev.Source, ev.Severity = cut(subject, 1024), "runbook "+it.runbook(), "error"
	ev.Details = map[string]any{"execution": it.exec["id"], "runbook": it.runbook(), "event": event, "text": text}
	switch event {
	case engine.EventFailed:
		ev.Summary = cut(subject+": "+it.failure(), 1024)
		ev.Details["step"], ev.Details["error"] = it.out.Failed, it.failure()
	case engine.EventConcluded:
		f := it.out.Shown().Finding
		ev.Summary, ev.Severity = cut(it.hide(f.Finding), 1024), severity(f.Severity)
		ev.Details["finding"] = f
	}
	if a := it.in.Alarm; a != nil {
		ev.Details["alarm"] = a["name"]
	}
	return ev
}

// dedupKey identifies the incident an execution's pages are about: the
// alarm's episode (its name and state-change time) when an alarm started
// it, else the first execution of its chain of retries, so that a
// successful retry resolves what the failure triggered.
func (it *interp) dedupKey() string {
	if a := it.in.Alarm; a != nil {
		return fmt.Sprintf("runbook/%s/alarm/%v/%v", it.in.Plan.Name, a["name"], a["time"])
	}
	return "runbook/" + it.in.Plan.Name + "/" + cmp.Or(it.in.Incident, it.in.RetryOf, it.exec["id"].(string))
}

// severity maps a finding's severity to PagerDuty's: critical, error
// (high), warning (medium, low, else), info.
func severity(s string) string {
	switch s {
	case "critical":
		return "critical"
	case "high":
		return "error"
	case "info":
		return "info"
	}
	return "warning"
}
