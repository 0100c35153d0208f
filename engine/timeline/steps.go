package timeline

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
)

// loopIndex is a loop's index in a record name (each[2].stop).
var loopIndex = regexp.MustCompile(`\[\d+\]`)

// timer records a timer on the step it belongs to: a sleep on its sleep
// step, an approval's deadline on the approve step whose deadline it is,
// a step's timeout on that step. The timer's summary names the step as
// the plan does, without a loop's prefix: of the steps so named that
// were running when it started, the first without such a timer has it.
func (b *builder) timer(ev *historypb.HistoryEvent) {
	a := ev.GetTimerStartedEventAttributes()
	var summary string
	if p := ev.GetUserMetadata().GetSummary(); p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &summary)
	}
	d := a.GetStartToFireTimeout().AsDuration()
	at := b.at(a.GetWorkflowTaskCompletedEventId(), ev)
	x := &Timer{Name: summary, Duration: engine.FormatDuration(d), Status: "started", Start: ev.GetEventTime().AsTime(), at: at, d: d}
	b.timers[a.GetTimerId()] = x
	var s *Step
	sum := engine.ParseTimer(summary)
	x.Name = sum.Name
	switch sum.Kind {
	case engine.TimerSleep:
		if s = b.claim(sum.Step, at, x, b.runs(engine.RunsTimer)); s == nil {
			s = b.find(sum.Step, 0, at)
		}
		if len(s.Timers) > 0 { // another visit, or another item of a loop
			s = b.make(sum.Step, at)
		}
	case engine.TimerStepTimeout:
		s = b.claim(sum.Step, at, x, nil)
	case engine.TimerApproval:
		if sum.Step != "" { // a manual or ask step's deadline
			s = b.claim(sum.Step, at, x, nil)
			break
		}
		waits := b.runs(engine.RunsApproval)
		s = b.claim("", at, x, func(s *Step) bool { return waits(s) && deadline(x)(s) })
	default:
		if sum.Step != "" { // a manual or ask step's reminders: one each
			s = b.claim(sum.Step, at, nil, nil)
		}
	}
	if s == nil {
		b.t.Timers = append(b.t.Timers, x)
		return
	}
	s.Timers = append(s.Timers, x)
}

// claim finds the first step named name (in any loop; any name when "")
// running at at, without a timer named as x (any, when x is nil), and for
// which ok holds.
func (b *builder) claim(name string, at time.Time, x *Timer, ok func(*Step) bool) *Step {
	for _, s := range b.t.Steps {
		base := s.Name[strings.LastIndex(s.Name, ".")+1:]
		switch {
		case name != "" && base != name:
		case s.Start.After(at), !s.End.IsZero() && s.End.Before(at):
		case x != nil && slices.ContainsFunc(s.Timers, func(t *Timer) bool { return t.Name == x.Name }):
		case ok == nil || ok(s):
			return s
		}
	}
	return nil
}

// runs reports whether a step is of a kind that runs as r.
func (b *builder) runs(r engine.Runs) func(*Step) bool {
	return func(s *Step) bool {
		k := b.kinds.Lookup(s.Kind)
		return k != nil && k.Runs == r
	}
}

// deadline reports whether x is the deadline of a step's approval.
func deadline(x *Timer) func(*Step) bool {
	return func(s *Step) bool { return s.Approval == nil || s.Approval.Deadline.Equal(x.at.Add(x.d)) }
}

func (b *builder) timerEnded(id, status string, when time.Time) {
	if x := b.timers[id]; x != nil {
		x.Status, x.End = status, when
	}
}

// settle completes the steps: durations and attempts, and for the steps
// only events show, a status and an end from what those events tell.
func (b *builder) settle() {
	b.t.Timers = slices.DeleteFunc(b.t.Timers, b.rehome)
	for _, s := range b.t.Steps {
		if b.made[s] {
			b.guess(s)
		}
		for _, a := range s.Activities {
			if !a.Notify && a.Attempts > s.Attempts {
				s.Attempts = a.Attempts
			}
		}
		if !s.End.IsZero() {
			s.Duration = s.End.Sub(s.Start).Round(time.Millisecond).String()
		}
	}
	if len(b.made) > 0 {
		slices.SortStableFunc(b.t.Steps, func(x, y *Step) int { return x.Start.Compare(y.Start) })
	}
}

// rehome moves an approval's deadline that started before the events
// showed its step (a step the decisions show) to that step, which began
// when its deadline started.
func (b *builder) rehome(x *Timer) bool {
	if x.Name != "approval deadline" {
		return false
	}
	for _, s := range b.t.Steps {
		if b.runs(engine.RunsApproval)(s) && s.Approval != nil && b.made[s] && deadline(x)(s) {
			s.Timers = append(s.Timers, x)
			s.Start = x.at
			return true
		}
	}
	return false
}

// guess gives a step no Outcome records the status its last activity,
// child, timer or decision shows.
func (b *builder) guess(s *Step) {
	status, end := engine.StatusRunning, time.Time{}
	for _, a := range s.Activities {
		if a.Notify {
			continue
		}
		switch a.Status {
		case "scheduled":
			status = engine.StatusRunning
		case engine.StatusTimedOut, engine.StatusFailed:
			status, s.Error = engine.StatusFailed, a.Error
		default:
			status = a.Status
		}
		end = a.End
	}
	for _, c := range s.Children {
		status, end = c.Status, c.End
		if c.Status == "initiated" || c.Status == "started" {
			status = engine.StatusRunning
		}
		s.Error = c.Error
	}
	for _, t := range s.Timers {
		switch {
		case strings.HasPrefix(t.Name, "sleep "):
			status, end = map[string]string{"fired": engine.StatusSucceeded, engine.StatusCancelled: engine.StatusCancelled}[t.Status], t.End
			if status == "" {
				status = engine.StatusRunning
			}
		case t.Name == "approval deadline" && t.Status == "fired":
			status, end, s.Error = engine.StatusFailed, t.End, &engine.StepError{Type: "ApprovalTimedOut", Message: "no decision within " + t.Duration}
		}
	}
	if b.kinds.Lookup(s.Kind).Human() && status == engine.StatusRunning {
		status = engine.StatusWaiting
	}
	if a := s.Approval; a != nil && a.Kind != "" && status == engine.StatusWaiting && len(a.Decisions) > 0 {
		status, end = engine.StatusSucceeded, a.Decisions[0].Time
	}
	if a := s.Approval; a != nil && a.Kind == "" && status == engine.StatusWaiting {
		n := 0
		for _, d := range a.Decisions {
			end = d.Time
			if d.Decision == engine.UpdateReject {
				status, s.Error = engine.StatusFailed, &engine.StepError{Type: "Rejected", Message: "rejected by " + d.Identity}
				break
			}
			if n++; n >= a.MinApprovals {
				status = engine.StatusSucceeded
			}
		}
	}
	if status == engine.StatusRunning || status == engine.StatusWaiting {
		end = time.Time{}
		if b.t.Status != engine.StatusRunning {
			status = b.t.Status // the execution ended without it
		}
	}
	s.Status, s.End = status, end
}

// routes gives each visit of a playbook node the conditions evaluated
// there, in order: a visit's conditions end at the first that held
// (or the default).
func (b *builder) routes() {
	next := map[string]int{}
	for i := 0; i < len(b.evidence); {
		node := b.evidence[i].Node
		j := i
		for j < len(b.evidence) && b.evidence[j].Node == node {
			j++
			if b.evidence[j-1].Result {
				break
			}
		}
		group := b.evidence[i:j]
		i = j
		list := b.byName[node]
		for next[node] < len(list) && list[next[node]].Status == engine.StatusSkipped {
			next[node]++
		}
		if next[node] >= len(list) {
			continue
		}
		s := list[next[node]]
		next[node]++
		s.Branch = group
		if last := group[len(group)-1]; last.Result {
			s.Next = b.goTo(node, last.Condition)
		}
	}
}

// goTo is where the condition cond of node routes.
func (b *builder) goTo(node, cond string) string {
	ps := planStep(b.plan, node)
	if ps == nil {
		return ""
	}
	if cond == "default" {
		return ps.Default
	}
	for _, br := range ps.Branch {
		if br.When != nil && br.When.Src == cond {
			return br.Goto
		}
	}
	return ""
}

// planStep is the plan's step a record name names (LOOP[INDEX].STEP
// inside a forEach), or nil.
func planStep(p *engine.Plan, rec string) *engine.PlanStep {
	steps := append(slices.Clip(p.Steps), p.Finally...)
	var found *engine.PlanStep
	for _, part := range strings.Split(loopIndex.ReplaceAllString(rec, ""), ".") {
		i := slices.IndexFunc(steps, func(s *engine.PlanStep) bool { return s.Name == part })
		if i < 0 {
			return nil
		}
		found = steps[i]
		steps = found.Steps
	}
	return found
}
