package casetest

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The sending of a case's decisions (approvals: or people:) as the
// workflow's own updates, and what became of them.

// waiting schedules the decisions for the human steps that started
// waiting in workflow id: each entry naming the step (or, by its step
// name, a step in a forEach) is sent after its delay from the wait's
// start, at the step's first wait. It runs only in the SDK's test
// environment (runbook test), whose delayed callbacks are its own.
//
//workflowcheck:ignore
func (r *caseRun) waiting(ctx workflow.Context, out *engine.Outcome) {
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	now := workflow.Now(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range out.Steps {
		if rec.Status != engine.StatusWaiting || rec.Approval == nil || r.waits[id+"/"+rec.Name] {
			continue
		}
		r.waits[id+"/"+rec.Name] = true
		for i, a := range r.c.Approvals {
			if r.sent[i] || a.Step.Name != rec.Name && a.Step.Name != recordBase(rec.Name) {
				continue
			}
			r.sent[i] = true
			delay := max(rec.Approval.Since.Add(a.After).Sub(now), 0)
			req := shownOf(rec.Approval)
			r.env.RegisterDelayedCallback(func() { r.send(id, rec.Name, req, i) }, delay)
		}
	}
}

// shown is what a waiting step shows the person a decision is for: the
// request to name, the checklist to confirm.
type shown struct {
	request   string
	checklist []string
}

func shownOf(a *engine.Approval) shown {
	return shown{request: a.Request, checklist: a.Checklist}
}

// send sends decision i to workflow id's step, for the request it waits
// on, and records whether the workflow accepted it. A done confirms the
// items the entry lists, else every item of the step's checklist.
func (r *caseRun) send(id, step string, req shown, i int) {
	a := r.c.Approvals[i]
	verb := cmp.Or(a.Decision, engine.UpdateApprove)
	if req.request == "" {
		req = r.waitingShown(verb)
	}
	d := engine.Decision{Step: step, Identity: a.By, Groups: a.Groups, Comment: a.Comment, Request: req.request}
	switch verb {
	case engine.UpdateDone:
		d.Checked = req.checklist
		if a.Listed {
			d.Checked = []string{}
			for _, c := range a.Checked {
				d.Checked = append(d.Checked, c.Name)
			}
		}
	case engine.UpdateAnswer:
		d.Answer, _ = testData(a.Answer).(map[string]any)
	}
	done := func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.decided[i] != "" {
			return
		}
		r.decided[i] = "accepted"
		if err != nil {
			r.decided[i] = "refused: " + err.Error()
		}
	}
	cb := &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   done,
		OnComplete: func(_ any, err error) { done(err) },
	}
	if err := r.env.UpdateWorkflowByID(id, verb, fmt.Sprintf("approval-%d", i), cb, d); err != nil {
		done(err)
	}
}

// waitingShown is what the only step waiting for the verb shows now, if
// one does (else nothing: the workflow refuses the decision and says
// why).
func (r *caseRun) waitingShown(verb string) shown {
	v, err := r.env.QueryWorkflow(engine.QueryState)
	var out engine.Outcome
	if err != nil || v.Get(&out) != nil {
		return shown{}
	}
	var only *engine.Approval
	for _, rec := range out.Steps {
		if rec.Status == engine.StatusWaiting && rec.Approval != nil && rec.Approval.Verb() == verbFor(verb) {
			if only != nil {
				return shown{}
			}
			only = rec.Approval
		}
	}
	if only == nil {
		return shown{}
	}
	return shownOf(only)
}

// verbFor is the verb of the steps a decision acts on: approve for a
// rejection too.
func verbFor(decision string) string {
	if decision == engine.UpdateReject {
		return engine.UpdateApprove
	}
	return decision
}

// approvalProblems reports the decisions refused though not marked so,
// accepted though marked refused, or never sent. Approvals are named so,
// the others (done, answer) entries: "entry 2 (done by alice at step
// drain)".
func (r *caseRun) approvalProblems() []string {
	var out []string
	for i, a := range r.c.Approvals {
		verb, noun := cmp.Or(a.Decision, engine.UpdateApprove), "approval"
		if verbFor(verb) != engine.UpdateApprove {
			noun = "entry"
		}
		what := fmt.Sprintf("%s %d (%s by %s", noun, i+1, verb, a.By)
		if a.Step.Name != "" {
			what += " at step " + a.Step.Name
		}
		what += ")"
		switch got := r.decided[i]; {
		case got == "" && !r.sent[i]:
			out = append(out, what+" was never sent: the step never waited")
		case got == "":
			out = append(out, what+" was not decided before the execution ended")
		case got == "accepted" && a.Refused:
			out = append(out, what+" was accepted, want refused")
		case strings.HasPrefix(got, "refused") && !a.Refused:
			out = append(out, what+" was "+got)
		}
	}
	return out
}
