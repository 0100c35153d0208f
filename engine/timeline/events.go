package timeline

import (
	"strconv"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	historypb "go.temporal.io/api/history/v1"
)

// builder assembles a Timeline: steps by record name (a name repeats
// once per visit), and the activities, timers, children and decisions
// events announce, by the event that started them.
type builder struct {
	t        *Timeline
	plan     *engine.Plan
	kinds    engine.Kinds
	byName   map[string][]*Step
	taskTime map[int64]time.Time        // workflow task started event -> its time (workflow.Now)
	done     map[int64]int64            // workflow task completed event -> its started event
	acts     map[int64]*Activity        // by scheduled event
	timers   map[string]*Timer          // by timer ID
	children map[int64]*Child           // by initiated event
	asked    map[int64]*engine.Decision // update accepted event -> the decision asked
	evidence []*engine.Evidence
	made     map[*Step]bool // steps the events made (no Outcome records them)
	secrets  []any          // what secret-bearing calls returned, outputs holding a secret
}

func newBuilder(t *Timeline, p *engine.Plan, ks engine.Kinds) *builder {
	return &builder{
		t: t, plan: p, kinds: ks, byName: map[string][]*Step{}, taskTime: map[int64]time.Time{}, done: map[int64]int64{},
		acts: map[int64]*Activity{}, timers: map[string]*Timer{}, children: map[int64]*Child{}, asked: map[int64]*engine.Decision{},
		made: map[*Step]bool{},
	}
}

// add appends a step: its visits are in order in byName.
func (b *builder) add(s *Step) {
	b.byName[s.Name] = append(b.byName[s.Name], s)
	b.t.Steps = append(b.t.Steps, s)
}

// find is visit of step name or, without a visit, the latest visit
// started by at; with none, a step made for the events.
func (b *builder) find(name string, visit int, at time.Time) *Step {
	list := b.byName[name]
	if visit > 0 && visit <= len(list) {
		return list[visit-1]
	}
	for i := len(list) - 1; i >= 0 && visit == 0; i-- {
		if !list[i].Start.After(at) {
			return list[i]
		}
	}
	return b.make(name, at)
}

// make adds a step that only events show, of its plan step's kind.
func (b *builder) make(name string, at time.Time) *Step {
	s := &Step{Name: name, Status: engine.StatusRunning, Start: at}
	if ps := planStep(b.plan, name); ps != nil {
		s.Kind = ps.Kind
	}
	b.made[s] = true
	b.add(s)
	return s
}

// at is the workflow time of the task whose completion recorded a
// command: the steps it started began then.
func (b *builder) at(completed int64, ev *historypb.HistoryEvent) time.Time {
	if t, ok := b.taskTime[b.done[completed]]; ok {
		return t
	}
	return ev.GetEventTime().AsTime()
}

// event takes one event into the timeline.
func (b *builder) event(ev *historypb.HistoryEvent) {
	when := ev.GetEventTime().AsTime()
	switch {
	case ev.GetWorkflowTaskStartedEventAttributes() != nil:
		b.taskTime[ev.GetEventId()] = when
	case ev.GetWorkflowTaskCompletedEventAttributes() != nil:
		b.done[ev.GetEventId()] = ev.GetWorkflowTaskCompletedEventAttributes().GetStartedEventId()
	case ev.GetActivityTaskScheduledEventAttributes() != nil:
		b.scheduled(ev)
	case ev.GetActivityTaskStartedEventAttributes() != nil:
		a := ev.GetActivityTaskStartedEventAttributes()
		if x := b.acts[a.GetScheduledEventId()]; x != nil {
			x.Attempts = int(a.GetAttempt())
			if f := a.GetLastFailure(); f != nil && x.Attempts > 1 {
				x.LastFailure = errString(failureError(f))
			}
		}
	case ev.GetActivityTaskCompletedEventAttributes() != nil:
		a := ev.GetActivityTaskCompletedEventAttributes()
		if x := b.acts[a.GetScheduledEventId()]; x != nil {
			var res engine.CallResult
			_ = decode(a.GetResult(), &res)
			x.Status, x.End, x.Outputs, x.Polls, x.DryRun = engine.StatusSucceeded, when, res.Outputs, res.Polls, res.DryRun
			for _, v := range res.Secrets {
				b.secrets = append(b.secrets, v)
			}
		}
	case ev.GetActivityTaskFailedEventAttributes() != nil:
		a := ev.GetActivityTaskFailedEventAttributes()
		b.actEnded(a.GetScheduledEventId(), engine.StatusFailed, when, failureError(a.GetFailure()))
	case ev.GetActivityTaskTimedOutEventAttributes() != nil:
		a := ev.GetActivityTaskTimedOutEventAttributes()
		b.actEnded(a.GetScheduledEventId(), engine.StatusTimedOut, when, failureError(a.GetFailure()))
	case ev.GetActivityTaskCanceledEventAttributes() != nil:
		b.actEnded(ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId(), engine.StatusCancelled, when, nil)
	case ev.GetTimerStartedEventAttributes() != nil:
		b.timer(ev)
	case ev.GetTimerFiredEventAttributes() != nil:
		b.timerEnded(ev.GetTimerFiredEventAttributes().GetTimerId(), "fired", when)
	case ev.GetTimerCanceledEventAttributes() != nil:
		b.timerEnded(ev.GetTimerCanceledEventAttributes().GetTimerId(), engine.StatusCancelled, when)
	case ev.GetWorkflowExecutionUpdateAcceptedEventAttributes() != nil:
		req := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput()
		var d engine.Decision
		if decode(req.GetArgs(), &d) == nil {
			d.Decision = req.GetName()
			b.asked[ev.GetEventId()] = &d
		}
	case ev.GetWorkflowExecutionUpdateCompletedEventAttributes() != nil:
		b.decided(ev.GetWorkflowExecutionUpdateCompletedEventAttributes(), when)
	default:
		b.child(ev)
	}
}

// scheduled records an activity on the step its ID names (STEP#VISIT,
// STEP#notify), with its call.
func (b *builder) scheduled(ev *historypb.HistoryEvent) {
	a := ev.GetActivityTaskScheduledEventAttributes()
	x := &Activity{ID: a.GetActivityId(), Type: a.GetActivityType().GetName(), Status: "scheduled", Scheduled: ev.GetEventTime().AsTime()}
	var c engine.Call
	if decode(a.GetInput(), &c) == nil {
		x.Op, x.Input, x.Region = c.Op, c.Input, c.Region
		if c.Until != nil {
			x.Until = c.Until.Src
		}
	}
	if notice, ok := strings.CutPrefix(x.ID, "@"); ok { // an event notice: @EVENT#TARGET
		x.Notify = true
		x.Event, _, _ = strings.Cut(notice, "#")
		noticeCall(x, a.GetInput())
		b.acts[ev.GetEventId()] = x
		b.t.Notices = append(b.t.Notices, x)
		return
	}
	name, tail, found := cutLast(x.ID, "#")
	if !found {
		name, tail = tail, ""
	}
	b.acts[ev.GetEventId()] = x
	if tail == "identity" { // execution.account and region, no step's
		return
	}
	visit, _ := strconv.Atoi(tail)
	x.Notify = tail == "notify"
	s := b.find(name, visit, b.at(a.GetWorkflowTaskCompletedEventId(), ev))
	s.Activities = append(s.Activities, x)
}

func (b *builder) actEnded(scheduled int64, status string, when time.Time, se *engine.StepError) {
	if x := b.acts[scheduled]; x != nil {
		x.Status, x.End, x.Error = status, when, se
	}
}

// decided records an accepted decision's result, the step's Approval
// after it, on the step it decided. A decision the workflow refused
// after accepting it did not count: it is left out.
func (b *builder) decided(a *historypb.WorkflowExecutionUpdateCompletedEventAttributes, when time.Time) {
	d := b.asked[a.GetAcceptedEventId()]
	var ap engine.Approval
	if d == nil || a.GetOutcome().GetSuccess() == nil || decode(a.GetOutcome().GetSuccess(), &ap) != nil {
		return
	}
	for _, x := range ap.Decisions {
		if x.Identity == d.Identity {
			d = x
		}
	}
	if d.Step == "" {
		return
	}
	if !d.Time.IsZero() {
		when = d.Time
	}
	s := b.find(d.Step, 0, when)
	if s.Approval == nil || len(s.Approval.Decisions) < len(ap.Decisions) {
		s.Approval = &ap
	}
	if b.made[s] && !ap.Since.IsZero() {
		s.Start = ap.Since
	}
}

// child records a child execution on the step its ID names
// (EXECUTION/STEP#VISIT; EXECUTION/NODE for a recommendation).
func (b *builder) child(ev *historypb.HistoryEvent) {
	when := ev.GetEventTime().AsTime()
	if a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil {
		c := &Child{ID: a.GetWorkflowId(), Status: "initiated", Start: when}
		var in engine.Input
		if decode(a.GetInput(), &in) == nil && in.Plan != nil {
			c.Runbook, c.Params, c.plan = in.Plan.Name+"@"+in.Plan.Version, in.Params, in.Plan
		}
		name, tail, found := cutLast(strings.TrimPrefix(c.ID, b.t.ID+"/"), "#")
		visit, _ := strconv.Atoi(tail)
		if !found {
			name = tail
		}
		s := b.find(name, visit, b.at(a.GetWorkflowTaskCompletedEventId(), ev))
		s.Children = append(s.Children, c)
		b.children[ev.GetEventId()] = c
		return
	}
	var initiated int64
	var out engine.Outcome
	status, se := "", (*engine.StepError)(nil)
	switch {
	case ev.GetStartChildWorkflowExecutionFailedEventAttributes() != nil:
		a := ev.GetStartChildWorkflowExecutionFailedEventAttributes()
		initiated, status, se = a.GetInitiatedEventId(), "notStarted", &engine.StepError{Message: a.GetCause().String()}
	case ev.GetChildWorkflowExecutionStartedEventAttributes() != nil:
		initiated, status = ev.GetChildWorkflowExecutionStartedEventAttributes().GetInitiatedEventId(), "started"
	case ev.GetChildWorkflowExecutionCompletedEventAttributes() != nil:
		a := ev.GetChildWorkflowExecutionCompletedEventAttributes()
		initiated, status = a.GetInitiatedEventId(), engine.StatusSucceeded
		if decode(a.GetResult(), &out) == nil && out.Status != "" {
			status = out.Status
		}
	case ev.GetChildWorkflowExecutionFailedEventAttributes() != nil:
		a := ev.GetChildWorkflowExecutionFailedEventAttributes()
		initiated, status, se = a.GetInitiatedEventId(), engine.StatusFailed, failureError(a.GetFailure())
		if decode(a.GetFailure().GetApplicationFailureInfo().GetDetails(), &out) == nil && out.Status != "" {
			status = out.Status
		}
	case ev.GetChildWorkflowExecutionCanceledEventAttributes() != nil:
		initiated, status = ev.GetChildWorkflowExecutionCanceledEventAttributes().GetInitiatedEventId(), engine.StatusCancelled
	case ev.GetChildWorkflowExecutionTimedOutEventAttributes() != nil:
		initiated, status = ev.GetChildWorkflowExecutionTimedOutEventAttributes().GetInitiatedEventId(), engine.StatusTimedOut
	case ev.GetChildWorkflowExecutionTerminatedEventAttributes() != nil:
		initiated, status = ev.GetChildWorkflowExecutionTerminatedEventAttributes().GetInitiatedEventId(), "terminated"
	default:
		return
	}
	if c := b.children[initiated]; c != nil {
		c.Status, c.Error = status, se
		if status != "started" {
			c.End = when
		}
	}
}

// cutLast cuts s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}
