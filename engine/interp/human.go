package interp

import (
	"slices"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/workflow"
)

// task waits until a person marks a manual step done or answers an ask
// step, reminding at `remind` until its deadline. At the deadline an ask
// step with a default answer takes it; otherwise the step fails.
func (it *interp) task(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any) (map[string]any, error) {
	d, err := it.durationOr(s.Arg("timeout"), defaultApprovalTimeout, env)
	if err != nil {
		return nil, err
	}
	remind, err := it.durationOr(s.Arg("remind"), 0, env)
	if err != nil {
		return nil, err
	}
	a, err := it.taskRequest(ctx, s, rec, env, d)
	if err != nil {
		return nil, err
	}
	rec.Status, rec.Approval, rec.Message = engine.StatusWaiting, a, a.Message
	w := &wait{rec: rec}
	it.waits = append(it.waits, w)
	defer func() { it.waits = slices.DeleteFunc(it.waits, func(x *wait) bool { return x == w }) }()
	if n := s.Arg("notify"); n != nil {
		it.notify(ctx, s, rec, n, env)
	}
	for w.done == nil {
		left := a.Deadline.Sub(it.now())
		if left <= 0 {
			break
		}
		reminder := remind > 0 && remind < left
		wait := left
		if reminder {
			wait = remind
		}
		_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: wait, TimerOptions: workflow.TimerOptions{Summary: engine.HumanTimer(rec.Name, reminder)}},
			func() bool { return w.done != nil })
		if err != nil {
			return nil, err
		}
		if w.done == nil && reminder {
			a.Reminders++
			if n := s.Arg("notify"); n != nil {
				it.notify(ctx, s, rec, n, env)
			}
		}
	}
	if w.done == nil {
		return it.timedOut(s, rec, d, env)
	}
	return it.outputs(s, env, taskResult(a, w.done))
}

// durationOr is v's duration, or def when v is nil.
func (it *interp) durationOr(v *engine.Value, def time.Duration, env map[string]any) (time.Duration, error) {
	if v == nil {
		return def, nil
	}
	return it.duration(v, env)
}

// taskResult is a manual step's result (by, note, at, checked) or an ask
// step's (the answer).
func taskResult(a *engine.Approval, d *engine.Decision) map[string]any {
	if a.Kind == "ask" {
		return d.Answer
	}
	checked := make([]any, len(d.Checked))
	for i, c := range d.Checked {
		checked[i] = c
	}
	return map[string]any{"by": d.Identity, "note": d.Comment, "at": d.Time.UTC().Format(time.RFC3339), "checked": checked}
}

// timedOut ends a step nobody acted on: an ask step with a default answer
// takes it, anything else fails.
func (it *interp) timedOut(s *engine.PlanStep, rec *engine.StepRecord, d time.Duration, env map[string]any) (map[string]any, error) {
	if def := s.Arg("default"); def != nil && s.Kind == "ask" {
		given, _ := def.Data().(map[string]any)
		answer, err := engine.CheckAnswer(s.Fields, given)
		if err != nil {
			return nil, &engine.StepError{Type: "InvalidDefault", Message: err.Error()}
		}
		rec.Message += " (nobody answered within " + engine.FormatDuration(d) + ": the default answer)"
		return it.outputs(s, env, answer)
	}
	what := "marked it done"
	if s.Kind == "ask" {
		what = "answered"
	}
	return nil, &engine.StepError{Type: "TimedOut", Message: "nobody " + what + " within " + engine.FormatDuration(d)}
}

// taskRequest is what a manual or ask step shows: its instructions or
// question, links and checklist resolved, its fields, who may act, and
// the request a decision must name.
func (it *interp) taskRequest(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, env map[string]any, d time.Duration) (*engine.Approval, error) {
	main := s.Arg("instructions")
	if s.Kind == "ask" {
		main = s.Arg("question")
	}
	msg, err := it.text(main, env)
	if err != nil {
		return nil, err
	}
	a := &engine.Approval{Kind: s.Kind, Runbook: it.in.Plan.Name + "@" + it.in.Plan.Version, Since: it.now(), MinApprovals: 1,
		Message: it.hide(msg), Requester: it.in.StartedBy, RetriedBy: it.in.RetriedBy, Deadline: it.now().Add(d),
		Digest: it.in.Plan.Digest, Params: it.shownParams(), Fields: s.Fields}
	if l := s.Arg("links"); l != nil {
		for _, v := range l.List {
			title, err := it.text(v.Field("title"), env)
			if err != nil {
				return nil, err
			}
			url, err := it.text(v.Field("url"), env)
			if err != nil {
				return nil, err
			}
			a.Links = append(a.Links, engine.Link{Title: it.hide(title), URL: it.hide(url)})
		}
	}
	if c := s.Arg("checklist"); c != nil {
		for _, v := range c.List {
			item, err := it.text(v, env)
			if err != nil {
				return nil, err
			}
			a.Checklist = append(a.Checklist, it.hide(item))
		}
	}
	a.Approvers = it.assignees(s)
	a.Request = approvalRequest(workflow.GetInfo(ctx).WorkflowExecution.RunID, rec.Name, a)
	return a, nil
}

// assignees are who may act on a manual or ask step: its list, else the
// requester (and a retry's) and whoever may start the definition; empty
// when the definition lets anyone start it.
func (it *interp) assignees(s *engine.PlanStep) []string {
	list := s.Arg("assignees")
	if s.Kind == "ask" {
		list = s.Arg("from")
	}
	var out []string
	if list != nil {
		for _, v := range list.List {
			out = append(out, v.Str)
		}
		return out
	}
	if len(it.in.Plan.Starters) == 0 {
		return nil
	}
	out = append(out, it.in.Plan.Starters...)
	for _, who := range []string{it.in.StartedBy, it.in.RetriedBy} {
		if who != "" {
			out = append(out, "user:"+who)
		}
	}
	return out
}
