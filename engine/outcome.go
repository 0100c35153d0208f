package engine

import (
	"fmt"
	"strings"
	"time"
)

// StepRecord is what happened to one step: the timeline `run`, `watch` and
// `status` print.
type StepRecord struct {
	Name     string         `json:"name"`
	Kind     string         `json:"kind,omitempty"`
	Status   string         `json:"status"`
	Start    time.Time      `json:"start"`
	End      time.Time      `json:"end,omitzero"`
	Outputs  map[string]any `json:"outputs,omitempty"`
	Message  string         `json:"message,omitempty"` // log, fail, succeed, assert
	Error    *StepError     `json:"error,omitempty"`
	Attempts int            `json:"attempts,omitempty"`
	// Approval is an approve step's request and the decisions so far.
	Approval *Approval `json:"approval,omitempty"`
	// Execution is the child execution's ID (run).
	Execution string `json:"execution,omitempty"`
	// Secret names the outputs that hold a secret: shown as ***.
	Secret []string `json:"secret,omitempty"`
}

// Approval is what a human step asks and who acted: an approve step's
// request and every accepted decision, in order; a manual step's
// instructions and who marked it done; an ask step's question and the
// answer. Kind says which ("" for approve). For manual and ask, Message is
// the instructions or the question and Approvers the assignees (from);
// empty, anyone may act.
type Approval struct {
	Kind         string      `json:"kind,omitempty"`    // "", manual, ask
	Runbook      string      `json:"runbook,omitempty"` // NAME@VERSION
	Since        time.Time   `json:"since,omitzero"`    // when the wait began
	Approvers    []string    `json:"approvers"`         // user:NAME, group:NAME
	MinApprovals int         `json:"minApprovals"`
	Message      string      `json:"message,omitempty"`
	Requester    string      `json:"requester,omitempty"` // never counts
	RetriedBy    string      `json:"retriedBy,omitempty"` // a retry's requester: never counts either
	Deadline     time.Time   `json:"deadline"`
	Decisions    []*Decision `json:"decisions,omitempty"`
	// Request identifies this request for approval: a hash of the run,
	// the step, when it began waiting, the plan's digest and the params.
	// A decision must name it, so it counts only for what its decider
	// was shown (Digest is the plan's digest, Params the params).
	Request string         `json:"request,omitempty"`
	Digest  string         `json:"digest,omitempty"`
	Params  map[string]any `json:"params,omitempty"`
	// Links, Checklist (manual) and Fields (ask): what the person is
	// shown and answers. Reminders counts the reminders sent.
	Links     []Link       `json:"links,omitempty"`
	Checklist []string     `json:"checklist,omitempty"`
	Fields    []*PlanParam `json:"fields,omitempty"`
	Reminders int          `json:"reminders,omitempty"`
}

// Who says who may act on the step: its approvers or assignees, or
// anyone who may act on the execution when it lists none.
func (a *Approval) Who() string {
	if len(a.Approvers) == 0 {
		return "anyone who may act on it"
	}
	return strings.Join(a.Approvers, ", ")
}

// Awaits says what the step waits for: N approval(s), someone to do it
// and mark it done, an answer.
func (a *Approval) Awaits() string {
	switch a.Kind {
	case "manual":
		return "someone to do this and mark it done"
	case "ask":
		return "an answer"
	}
	return fmt.Sprintf("%d approval(s)", a.MinApprovals)
}

// Link is a titled URL a human step shows.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Verb is the update that acts on a human step of the approval's kind:
// approve (or reject), done, answer.
func (a *Approval) Verb() string {
	switch a.Kind {
	case "manual":
		return UpdateDone
	case "ask":
		return UpdateAnswer
	}
	return UpdateApprove
}

// Decision is the argument of the approve, reject, done and answer
// updates and, once accepted, their record: Decision and Time are set by
// the workflow. Comment is a rejection's reason or a done step's note;
// Checked the checklist items confirmed (done); Answer the answer (ask),
// typed by the workflow once accepted.
type Decision struct {
	// Step names the waiting step ("" when only one waits); a step in a
	// forEach is "LOOP[INDEX].STEP".
	Step     string    `json:"step,omitempty"`
	Identity string    `json:"identity"`
	Groups   []string  `json:"groups,omitempty"`
	Comment  string    `json:"comment,omitempty"`
	Decision string    `json:"decision,omitempty"` // approve, reject, done, answer
	Time     time.Time `json:"time,omitzero"`
	// Request is the Approval.Request the decider was shown.
	Request string         `json:"request,omitempty"`
	Checked []string       `json:"checked,omitempty"`
	Answer  map[string]any `json:"answer,omitempty"`
}

// StepError is why a step failed: the AWS error code (or the engine's own
// type) and its message.
type StepError struct {
	Type    string `json:"type,omitempty"` // ThrottlingException, AssertionFailed, ...
	Message string `json:"message"`
}

func (e *StepError) Error() string { return e.Message }

// Outcome is the workflow's result (and what the "state" query returns
// while it runs).
type Outcome struct {
	Status  string         `json:"status"`
	Outputs map[string]any `json:"outputs,omitempty"`
	Steps   []*StepRecord  `json:"steps"`
	// Failed names the step that failed the execution, with Error.
	Failed  string     `json:"failed,omitempty"`
	Error   *StepError `json:"error,omitempty"`
	Message string     `json:"message,omitempty"` // of fail, succeed or conclude
	// Playbooks: the nodes in the order they ran, the finding they
	// concluded with, and the routing evidence gathered before it.
	Path     []string    `json:"path,omitempty"`
	Finding  *Finding    `json:"finding,omitempty"`
	Evidence []*Evidence `json:"evidence,omitempty"`
	// DryRun lists, in a dry run, what would have acted.
	DryRun []*DryCall `json:"dryRun,omitempty"`
	// SecretOutputs names the outputs that hold a secret: shown as ***,
	// and secrets of the parent that reads them. Seal: the execution
	// knows a secret (the outcome's payload is encrypted).
	SecretOutputs []string `json:"secretOutputs,omitempty"`
	Seal          bool     `json:"seal,omitempty"`
	// Notices are the event notices the definition's notify sent.
	Notices []*NoticeSent `json:"notices,omitempty"`
}

// NoticeSent is one event notice a definition's notify sent: the event,
// the target (sns, http, slack, pagerduty) and, when it failed, why (the
// execution went on: notices are best effort).
type NoticeSent struct {
	Event  string `json:"event"`
	Target string `json:"target"`
	Error  string `json:"error,omitempty"`
}

// DryCall is one step a dry run did not let act: the call with its
// resolved input, and what happened instead.
type DryCall struct {
	Step  string         `json:"step"`
	Kind  string         `json:"kind"`
	Op    string         `json:"op,omitempty"`
	Input map[string]any `json:"input,omitempty"`
	Note  string         `json:"note"`
}

// QueryState is the name of the query that returns the execution's
// Outcome so far.
const QueryState = "state"

// Shown is o as the CLI, the API and the web page show it: the outputs
// that hold a secret (StepRecord.Secret, SecretOutputs), and their values
// wherever else they appear, replaced by ***. Nil stays nil.
func (o *Outcome) Shown() *Outcome {
	if o == nil || !o.Seal && len(o.SecretOutputs) == 0 {
		return o
	}
	r := &Redactor{}
	for _, n := range o.SecretOutputs {
		r.Add(o.Outputs[n])
	}
	for _, s := range o.Steps {
		for _, n := range s.Secret {
			r.Add(s.Outputs[n])
		}
	}
	c := *o
	c.Outputs, c.Message, c.Error = r.Fields(o.Outputs, nil), r.Text(o.Message), r.Err(o.Error)
	c.Steps = make([]*StepRecord, len(o.Steps))
	for i, s := range o.Steps {
		x := *s
		x.Outputs, x.Message, x.Error = r.Fields(s.Outputs, nil), r.Text(s.Message), r.Err(s.Error)
		c.Steps[i] = &x
	}
	if f := o.Finding; f != nil {
		x := *f
		x.Finding = r.Text(f.Finding)
		if rc := f.Recommend; rc != nil {
			y := *rc
			y.Params, y.Command = r.Fields(rc.Params, nil), r.Text(rc.Command)
			x.Recommend = &y
		}
		c.Finding = &x
	}
	return &c
}
