package timeline

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
)

// Timeline is an execution as its Temporal history tells it: what ran,
// when, with what, who approved, and how it ended. Secret params and
// secret outputs show as "***", and so does any value equal to one.
type Timeline struct {
	ID        string         `json:"id"`
	Runbook   string         `json:"runbook"` // NAME@VERSION
	Kind      string         `json:"kind"`    // Runbook, Playbook
	Params    map[string]any `json:"params,omitempty"`
	StartedBy string         `json:"startedBy,omitempty"`
	Trigger   string         `json:"trigger,omitempty"`
	Parent    string         `json:"parent,omitempty"`
	RetryOf   string         `json:"retryOf,omitempty"` // the execution this one retries
	RetriedBy string         `json:"retriedBy,omitempty"`
	DryRun    bool           `json:"dryRun,omitempty"`
	Alarm     map[string]any `json:"alarm,omitempty"`
	// Status is the Outcome's, else Temporal's: running, succeeded,
	// failed, cancelled, timedOut, terminated.
	Status  string            `json:"status"`
	Start   time.Time         `json:"start"`
	End     time.Time         `json:"end,omitzero"`
	Steps   []*Step           `json:"steps"`
	Outputs map[string]any    `json:"outputs,omitempty"`
	Failed  string            `json:"failed,omitempty"`
	Error   *engine.StepError `json:"error,omitempty"`
	Message string            `json:"message,omitempty"`
	Path    []string          `json:"path,omitempty"`
	Finding *engine.Finding   `json:"finding,omitempty"`
	// Timers are the execution's own (its timeout) and any no step claims.
	Timers []*Timer `json:"timers,omitempty"`
	// Notices are the event notices of the definition's notify.
	Notices []*Activity `json:"notices,omitempty"`
	// Partial: the execution has not ended, so the steps are only those
	// its events show (activities, timers, children, decisions).
	Partial bool `json:"partial,omitempty"`
}

// Step is one step as it ran: its record, and the activities,
// timers and child executions it started, the approval it asked for and,
// in a playbook, the conditions that routed from it.
type Step struct {
	Name       string             `json:"name"`
	Kind       string             `json:"kind,omitempty"`
	Status     string             `json:"status"`
	Start      time.Time          `json:"start"`
	End        time.Time          `json:"end,omitzero"`
	Duration   string             `json:"duration,omitempty"`
	Attempts   int                `json:"attempts,omitempty"` // of its call, when it has one
	Outputs    map[string]any     `json:"outputs,omitempty"`
	Message    string             `json:"message,omitempty"`
	Error      *engine.StepError  `json:"error,omitempty"`
	Approval   *engine.Approval   `json:"approval,omitempty"`
	Activities []*Activity        `json:"activities,omitempty"`
	Timers     []*Timer           `json:"timers,omitempty"`
	Children   []*Child           `json:"children,omitempty"`
	Branch     []*engine.Evidence `json:"branch,omitempty"` // the conditions evaluated (playbooks)
	Next       string             `json:"next,omitempty"`   // where the branch taken went
}

// Activity is one activity a step ran: its call (operation and resolved
// input), attempts and result.
type Activity struct {
	ID          string            `json:"id"`   // STEP#VISIT, STEP#notify, @EVENT#TARGET
	Type        string            `json:"type"` // aws, waitFor, http, script
	Op          string            `json:"op,omitempty"`
	Input       map[string]any    `json:"input,omitempty"`
	Region      string            `json:"region,omitempty"`
	Until       string            `json:"until,omitempty"`
	Notify      bool              `json:"notify,omitempty"` // an approve step's notification, or an event notice
	Event       string            `json:"event,omitempty"`  // an event notice's event: started, failed, ...
	Status      string            `json:"status"`           // scheduled, succeeded, failed, timedOut, cancelled
	Scheduled   time.Time         `json:"scheduled"`
	End         time.Time         `json:"end,omitzero"`
	Attempts    int               `json:"attempts,omitempty"`
	LastFailure string            `json:"lastFailure,omitempty"` // of the attempt before the last
	Outputs     map[string]any    `json:"outputs,omitempty"`
	Polls       int               `json:"polls,omitempty"`
	DryRun      string            `json:"dryRun,omitempty"` // what a dry run did instead of the call
	Error       *engine.StepError `json:"error,omitempty"`
}

// Timer is a durable timer: a sleep, an approval's deadline, a step's or
// the execution's timeout.
type Timer struct {
	Name     string    `json:"name"` // sleep 10s, approval deadline, step timeout, execution timeout
	Duration string    `json:"duration"`
	Status   string    `json:"status"` // started, fired, cancelled
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	at       time.Time // the workflow time it started at
	d        time.Duration
}

// Child is a child execution: a run step's, or a playbook's recommended
// runbook launched automatically (which outlives the playbook).
type Child struct {
	ID      string         `json:"id"`
	Runbook string         `json:"runbook"` // NAME@VERSION
	Params  map[string]any `json:"params,omitempty"`
	// Status: initiated, started (its end is not in this history),
	// notStarted, or its Outcome's status.
	Status string            `json:"status"`
	Start  time.Time         `json:"start"`
	End    time.Time         `json:"end,omitzero"`
	Error  *engine.StepError `json:"error,omitempty"`
	plan   *engine.Plan
}

// Build tells an execution, of plans of the kinds ks, from its Temporal
// history alone: its input, the final Outcome (from the closing event)
// and, from the events, each step's activities, timers, child executions
// and decisions. An execution still running has no Outcome yet: its
// steps are those the events show (Partial).
func Build(h *historypb.History, ks engine.Kinds) (*Timeline, error) {
	evs := h.GetEvents()
	if len(evs) == 0 {
		return nil, errors.New("the history has no events")
	}
	start := evs[0].GetWorkflowExecutionStartedEventAttributes()
	if start == nil {
		return nil, fmt.Errorf("the history does not begin with the execution's start (event 1 is %s)", evs[0].GetEventType())
	}
	if name := start.GetWorkflowType().GetName(); name != engine.WorkflowName {
		return nil, fmt.Errorf("workflow type %s is not a runbook execution", name)
	}
	var in engine.Input
	if err := decode(start.GetInput(), &in); err != nil || in.Plan == nil {
		return nil, fmt.Errorf("the execution's input is not a runbook's: %v", err)
	}
	t := &Timeline{
		ID: start.GetWorkflowId(), Runbook: in.Plan.Name + "@" + in.Plan.Version, Kind: in.Plan.Kind,
		Params: in.Params, StartedBy: in.StartedBy, Trigger: in.Trigger, Parent: in.Parent, RetryOf: in.RetryOf, RetriedBy: in.RetriedBy, DryRun: in.DryRun, Alarm: in.Alarm,
		Status: engine.StatusRunning, Start: evs[0].GetEventTime().AsTime(), Steps: []*Step{},
	}
	b := newBuilder(t, in.Plan, ks)
	last := evs[len(evs)-1]
	if out := b.close(last); out != nil {
		b.outcome(out)
	} else {
		t.Partial = t.Status == engine.StatusRunning
	}
	for _, ev := range evs {
		b.event(ev)
	}
	b.settle()
	b.routes()
	for _, s := range in.Secrets {
		b.secrets = append(b.secrets, s)
	}
	redact(t, in.Plan, b.children, b.secrets)
	return t, nil
}

// close reads how the execution ended from its last event: the Outcome a
// completed, failed or cancelled execution carries, or Temporal's status.
func (b *builder) close(ev *historypb.HistoryEvent) *engine.Outcome {
	t := b.t
	var out engine.Outcome
	switch {
	case ev.GetWorkflowExecutionCompletedEventAttributes() != nil:
		t.Status = engine.StatusSucceeded
		if decode(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult(), &out) != nil {
			return nil
		}
	case ev.GetWorkflowExecutionFailedEventAttributes() != nil:
		f := ev.GetWorkflowExecutionFailedEventAttributes().GetFailure()
		t.Status, t.Error = engine.StatusFailed, failureError(f)
		if decode(f.GetApplicationFailureInfo().GetDetails(), &out) != nil {
			return nil
		}
	case ev.GetWorkflowExecutionCanceledEventAttributes() != nil:
		t.Status = engine.StatusCancelled
		if decode(ev.GetWorkflowExecutionCanceledEventAttributes().GetDetails(), &out) != nil {
			return nil
		}
	case ev.GetWorkflowExecutionTerminatedEventAttributes() != nil:
		t.Status, t.Error = "terminated", &engine.StepError{Message: "terminated: " + ev.GetWorkflowExecutionTerminatedEventAttributes().GetReason()}
		return nil
	case ev.GetWorkflowExecutionTimedOutEventAttributes() != nil:
		t.Status, t.Error = engine.StatusTimedOut, &engine.StepError{Message: "the workflow timed out"}
		return nil
	case ev.GetWorkflowExecutionContinuedAsNewEventAttributes() != nil:
		t.Status = "continuedAsNew"
		return nil
	default:
		return nil
	}
	t.End = ev.GetEventTime().AsTime()
	return &out
}

// outcome takes the steps, outputs, error and finding of the Outcome.
func (b *builder) outcome(out *engine.Outcome) {
	t := b.t
	if out.Status != "" {
		t.Status = out.Status
	}
	t.Outputs, t.Failed, t.Message, t.Path, t.Finding = out.Outputs, out.Failed, out.Message, out.Path, out.Finding
	if out.Error != nil {
		t.Error = out.Error
	}
	for _, n := range out.SecretOutputs {
		b.secrets = append(b.secrets, out.Outputs[n])
	}
	for _, r := range out.Steps {
		for _, n := range r.Secret {
			b.secrets = append(b.secrets, r.Outputs[n])
		}
		b.add(&Step{
			Name: r.Name, Kind: r.Kind, Status: r.Status, Start: r.Start, End: r.End, Attempts: r.Attempts,
			Outputs: r.Outputs, Message: r.Message, Error: r.Error, Approval: r.Approval,
		})
	}
	if t.Finding != nil {
		b.evidence = append(b.evidence, t.Finding.Evidence...)
	}
	b.evidence = append(b.evidence, out.Evidence...)
}

// decode decodes the first payload into v with the default data
// converter; no payload is an error.
func decode(p *commonpb.Payloads, v any) error {
	if len(p.GetPayloads()) == 0 {
		return errors.New("no payload")
	}
	return converter.GetDefaultDataConverter().FromPayload(p.GetPayloads()[0], v)
}

// failureError is a Temporal failure as a StepError: the application
// error's type (an AWS error code) and the message, with its cause's.
func failureError(f *failurepb.Failure) *engine.StepError {
	if f == nil {
		return nil
	}
	se := &engine.StepError{Type: f.GetApplicationFailureInfo().GetType(), Message: f.GetMessage()}
	switch {
	case f.GetTimeoutFailureInfo() != nil:
		se.Type = "Timeout"
	case f.GetCanceledFailureInfo() != nil:
		se.Type = "Cancelled"
	}
	if c := f.GetCause(); c != nil && c.GetMessage() != "" && c.GetMessage() != se.Message {
		se.Message += ": " + c.GetMessage()
	}
	return se
}

func stamp(t time.Time) string { return t.UTC().Format(timeLayout) }

func span(from, to time.Time) string { return to.Sub(from).Round(time.Millisecond).String() }

// errString is an error with its type unless the message starts with it.
func errString(se *engine.StepError) string {
	if se == nil {
		return ""
	}
	if se.Type == "" || strings.HasPrefix(se.Message, se.Type) {
		return se.Message
	}
	return se.Type + ": " + se.Message
}
