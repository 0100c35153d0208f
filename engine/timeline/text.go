package timeline

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// timeLayout is how the text timeline writes times: RFC 3339 in UTC, to
// the millisecond.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Text writes the timeline for people: the execution; one line per step
// (mark, name, kind, start, duration, attempts when more than one,
// message, outputs, error) with what it did indented below it (calls,
// approvals, timers, child executions, the branch taken); how it ended;
// and a playbook's finding. Marks are Unicode symbols (✓ ✗ ▶ ⏸ ↷ ■).
func (t *Timeline) Text(w io.Writer) error {
	return t.TextMarked(w, Mark)
}

// TextMarked is Text with each step's mark given by mark (a terminal's
// colours, ASCII stand-ins).
func (t *Timeline) TextMarked(w io.Writer, mark func(status string) string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "execution %s of %s (%s): %s\n", t.ID, t.Runbook, strings.ToLower(t.Kind), t.Status)
	line := "  started " + stamp(t.Start)
	if t.StartedBy != "" {
		line += " by " + t.StartedBy
	}
	if t.Trigger != "" {
		line += " (" + t.Trigger + ")"
	}
	if t.RetriedBy != "" {
		line += ", retried by " + t.RetriedBy
	}
	if !t.End.IsZero() {
		line += ", ended " + stamp(t.End) + " after " + span(t.Start, t.End)
	}
	fmt.Fprintln(bw, line)
	if t.Parent != "" {
		fmt.Fprintf(bw, "  parent: %s\n", t.Parent)
	}
	if t.RetryOf != "" {
		fmt.Fprintf(bw, "  retry of: %s\n", t.RetryOf)
	}
	if t.DryRun {
		fmt.Fprintln(bw, "  dry run: calls that act were not made")
	}
	if len(t.Params) > 0 {
		fmt.Fprintf(bw, "  params: %s\n", engine.Pairs(t.Params))
	}
	if len(t.Alarm) > 0 {
		fmt.Fprintf(bw, "  alarm: %s\n", engine.Pairs(t.Alarm))
	}
	for _, s := range t.Steps {
		s.text(bw, mark)
	}
	for _, x := range t.Timers {
		fmt.Fprintf(bw, "  %s\n", x.text(t.Status))
	}
	t.noticesText(bw)
	fmt.Fprintln(bw, t.summary())
	if t.Partial {
		fmt.Fprintln(bw, "  (no outcome in the history yet: only the steps with a call, timer, child execution or decision show)")
	}
	if t.Finding != nil {
		t.Finding.Text(bw, t.Path, false)
	}
	return bw.Flush()
}

// Mark is the Unicode symbol of a step status ("?" for an unknown one).
func Mark(status string) string {
	m := map[string]string{engine.StatusSucceeded: "✓", engine.StatusSkipped: "↷", engine.StatusFailed: "✗", engine.StatusCancelled: "■",
		engine.StatusRunning: "▶", engine.StatusWaiting: "⏸", engine.StatusTimedOut: "✗"}[status]
	if m == "" {
		return "?"
	}
	return m
}

// text writes a step's line and what it did, indented by its loop depth.
func (s *Step) text(w io.Writer, markOf func(string) string) {
	in := strings.Repeat("  ", strings.Count(s.Name, "]."))
	mark := markOf(s.Status)
	kind := s.Kind
	if kind == "" {
		kind = "branch"
	}
	line := fmt.Sprintf("%s%s %s (%s) %s", in, mark, s.Name, kind, stamp(s.Start))
	switch {
	case s.Status == engine.StatusSkipped, s.End.IsZero():
		line += " " + s.Status
	default:
		line += " " + s.Duration
	}
	if s.Attempts > 1 {
		line += fmt.Sprintf(" attempts %d", s.Attempts)
	}
	if s.Message != "" && s.Error == nil {
		line += "  " + engine.OneLine(s.Message)
	}
	if len(s.Outputs) > 0 {
		line += "  " + engine.Pairs(s.Outputs)
	}
	if s.Error != nil {
		line += "  " + errString(s.Error)
	}
	fmt.Fprintln(w, line)
	in += "    "
	for _, a := range s.Activities {
		fmt.Fprintln(w, in+a.text(s.Error))
	}
	if a := s.Approval; a != nil {
		ask := fmt.Sprintf("%sasks %d of %s until %s", in, a.MinApprovals, strings.Join(a.Approvers, ", "), stamp(a.Deadline))
		if a.Kind != "" {
			ask = fmt.Sprintf("%swaits for %s until %s", in, a.Who(), stamp(a.Deadline))
		}
		if a.Requester != "" {
			ask += " (requested by " + a.Requester + ")"
		}
		fmt.Fprintln(w, ask)
		for _, l := range a.Links {
			fmt.Fprintf(w, "%slink %s: %s\n", in, l.Title, l.URL)
		}
		for _, c := range a.Checklist {
			fmt.Fprintf(w, "%scheck %s\n", in, c)
		}
		for _, d := range a.Decisions {
			fmt.Fprintln(w, in+decisionText(d))
		}
	}
	for _, x := range s.Timers {
		fmt.Fprintln(w, in+x.text(s.Status))
	}
	for _, c := range s.Children {
		line := fmt.Sprintf("%schild %s: %s", in, c.ID, c.Runbook)
		if len(c.Params) > 0 {
			line += " " + engine.Pairs(c.Params)
		}
		line += ", " + c.Status
		if !c.End.IsZero() {
			line += " at " + stamp(c.End)
		}
		if c.Error != nil {
			line += ": " + errString(c.Error)
		}
		fmt.Fprintln(w, line)
	}
	for _, e := range s.Branch {
		line := fmt.Sprintf("%swhen %s", in, e.Condition)
		if len(e.Values) > 0 {
			line += " (" + engine.Pairs(e.Values) + ")"
		}
		line += fmt.Sprintf(": %v", e.Result)
		if e.Condition == "default" {
			line = in + "default"
		}
		if e.Result && s.Next != "" {
			line += " → " + s.Next
		}
		fmt.Fprintln(w, line)
	}
}

// text is an activity's call (op and resolved input) and, when it did
// not simply succeed, how it went; its error only when the step's is
// another.
func (a *Activity) text(stepErr *engine.StepError) string {
	line := a.Type
	if a.Notify {
		line = "notify " + line
	}
	if a.Op != "" && a.Op != a.Type {
		line += " " + a.Op
	}
	if len(a.Input) > 0 {
		line += " " + engine.Pairs(a.Input)
	}
	if a.Region != "" {
		line += " in " + a.Region
	}
	if a.Until != "" {
		line += fmt.Sprintf(" until %s (%d polls)", a.Until, a.Polls)
	}
	if a.Attempts > 1 {
		line += fmt.Sprintf(", attempt %d", a.Attempts)
		if a.LastFailure != "" {
			line += " after " + engine.OneLine(a.LastFailure)
		}
	}
	if a.Status != engine.StatusSucceeded {
		line += ": " + a.Status
		if a.Error != nil && (stepErr == nil || stepErr.Message != a.Error.Message) {
			line += ": " + errString(a.Error)
		}
	}
	return line
}

// text is a timer and what became of it; one still started when the
// execution (or step) ended did not fire.
func (x *Timer) text(status string) string {
	line := "timer " + x.Name
	if !strings.HasPrefix(x.Name, "sleep ") {
		line += " " + x.Duration
	}
	switch {
	case x.Status != "started":
		return line + ": " + x.Status + " at " + stamp(x.End)
	case status == engine.StatusRunning || status == engine.StatusWaiting:
		return line + ": pending"
	}
	return line + ": did not fire"
}

// decisionText is one decision: who, with which groups, when, and why.
func decisionText(d *engine.Decision) string {
	verb := map[string]string{engine.UpdateApprove: "approved", engine.UpdateReject: "rejected", engine.UpdateDone: "done", engine.UpdateAnswer: "answered"}[d.Decision]
	if verb == "" {
		verb = d.Decision
	}
	line := verb + " by " + d.Identity
	if len(d.Groups) > 0 {
		line += " (groups " + strings.Join(d.Groups, ", ") + ")"
	}
	if !d.Time.IsZero() {
		line += " at " + stamp(d.Time)
	}
	if d.Comment != "" {
		line += ": " + engine.OneLine(d.Comment)
	}
	if len(d.Checked) > 0 {
		line += " (confirmed: " + strings.Join(d.Checked, "; ") + ")"
	}
	if len(d.Answer) > 0 {
		line += ": " + engine.Pairs(d.Answer)
	}
	return line
}

// summary is how the execution ended, as `run` and `watch` say it.
func (t *Timeline) summary() string {
	line := t.Status
	switch {
	case t.Status == engine.StatusSucceeded:
		if t.Message != "" {
			line += ": " + engine.OneLine(t.Message)
		}
		if len(t.Outputs) > 0 {
			line += "; outputs: " + engine.Pairs(t.Outputs)
		}
	case t.Failed != "":
		line += " at step " + t.Failed
		fallthrough
	case t.Error != nil:
		if t.Error != nil {
			line += ": " + errString(t.Error)
		}
	}
	return line
}
