package serve

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// approvalView is one approve step as the page shows it; Decide is set
// when the caller may still decide it, and then the page has its forms.
type approvalView struct {
	ID        string
	Runbook   string
	Step      string
	Message   string
	Approved  int // approvals so far
	Min       int
	Approvers []string
	Requester string
	Left      string // time left until the deadline
	Decisions []*engine.Decision
	Decide    bool
	Request   string // what a decision from this page answers
	Params    string
}

// newApprovalView is step's approval a of execution id; the time left
// shows while it waits.
func newApprovalView(id, runbook, step string, a *engine.Approval, waiting bool, now time.Time) *approvalView {
	v := &approvalView{ID: id, Runbook: runbook, Step: step, Message: a.Message, Min: a.MinApprovals,
		Approvers: a.Approvers, Requester: a.Requester, Decisions: a.Decisions, Request: a.Request, Params: engine.Pairs(a.Params)}
	if waiting {
		v.Left = timeLeft(a.Deadline, now)
	}
	for _, d := range a.Decisions {
		if d.Decision == engine.UpdateApprove {
			v.Approved++
		}
	}
	return v
}

// pageApprovals lists the steps waiting for a decision the caller may
// make, soonest deadline first.
func (s *Server) pageApprovals(w http.ResponseWriter, r *http.Request, c Caller) {
	mine, _, err := s.waitingFor(r.Context(), c)
	if err != nil {
		s.pageTemporalError(w, &c, err, "")
		return
	}
	now := s.cfg.Now()
	views := make([]*approvalView, 0, len(mine))
	for _, ws := range mine {
		v := newApprovalView(ws.ID, ws.Runbook, ws.Step, ws.Approval, true, now)
		v.Decide = true
		views = append(views, v)
	}
	s.render(w, http.StatusOK, "approvals", pageData{Caller: &c, Data: views})
}

// pageExecutions lists recent executions, newest first (?status=).
func (s *Server) pageExecutions(w http.ResponseWriter, r *http.Request, c Caller) {
	execs, err := s.executions(r.Context(), "", r.URL.Query().Get("status"), "50")
	if err != nil {
		s.pageError(w, &c, http.StatusBadRequest, err.Error(), "/ui/executions")
		return
	}
	s.render(w, http.StatusOK, "executions", pageData{Caller: &c, Data: execs})
}

// executionView is one execution's page: its timeline, its finding, and
// the approvals the caller may decide.
type executionView struct {
	*Execution
	Steps   []*stepView
	Finding *engine.Finding
	Failed  string
	Error   *engine.StepError
	Message string
	Decide  []*approvalView
	NoState bool // running, and no worker answered the state query
}

// stepView is one step of the timeline.
type stepView struct {
	*engine.StepRecord
	Message  string // the record's, unless the approval shows it
	Duration string
	Outputs  string // indented JSON
	Approval *approvalView
}

// pageExecution shows one execution's timeline.
func (s *Server) pageExecution(w http.ResponseWriter, r *http.Request, c Caller) {
	id := r.PathValue("id")
	e, err := s.execution(r.Context(), id)
	if err != nil {
		s.pageTemporalError(w, &c, err, "/ui/executions")
		return
	}
	notice := ""
	switch r.URL.Query().Get("decided") {
	case engine.UpdateApprove:
		notice = "Your approval is recorded."
	case engine.UpdateReject:
		notice = "Your rejection is recorded."
	}
	s.render(w, http.StatusOK, "execution", pageData{Caller: &c, Notice: notice, Data: s.executionView(e, c)})
}

func (s *Server) executionView(e *Execution, c Caller) *executionView {
	v := &executionView{Execution: e, NoState: e.Outcome == nil}
	if e.Outcome == nil {
		return v
	}
	o := e.Outcome
	v.Finding, v.Failed, v.Error, v.Message = o.Finding, o.Failed, o.Error, o.Message
	now := s.cfg.Now()
	for _, st := range o.Steps {
		sv := &stepView{StepRecord: st, Message: st.Message, Duration: stepDuration(st, now)}
		if len(st.Outputs) > 0 {
			b, _ := json.MarshalIndent(st.Outputs, "", "  ") // decoded from JSON: it marshals
			sv.Outputs = string(b)
		}
		if st.Approval != nil {
			waiting := st.Status == engine.StatusWaiting && e.Status == "running"
			sv.Approval = newApprovalView(e.ID, st.Approval.Runbook, st.Name, st.Approval, waiting, now)
			if st.Message == st.Approval.Message {
				sv.Message = "" // shown with the approval
			}
			ws := &interp.WaitingStep{ID: e.ID, Step: st.Name, Approval: st.Approval}
			if waiting && ws.MayDecide(c.Identity, c.Groups) {
				sv.Approval.Decide = true
				v.Decide = append(v.Decide, sv.Approval)
			}
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}

// pageDecide approves or rejects as the caller (form fields step,
// request and comment: a form without request decides nothing), then goes
// back to the execution's page (303). A refusal is a
// 403 page with the workflow's reason; nothing changes.
func (s *Server) pageDecide(kind string) func(http.ResponseWriter, *http.Request, Caller) {
	return func(w http.ResponseWriter, r *http.Request, c Caller) {
		id := r.PathValue("id")
		back := executionPath(id)
		if err := r.ParseForm(); err != nil {
			s.pageError(w, &c, http.StatusBadRequest, "The form did not parse: "+err.Error(), back)
			return
		}
		req := DecideRequest{Step: r.PostFormValue("step"), Comment: strings.TrimSpace(r.PostFormValue("comment")), Request: r.PostFormValue("request")}
		if req.Request == "" { // else it would bind to whatever waits now, maybe not what was shown
			s.pageError(w, &c, http.StatusBadRequest, "The form names no approval request, so it cannot say what you saw: open the execution's page again and decide there.", back)
			return
		}
		if _, err := s.decision(r.Context(), id, kind, req, c); err != nil {
			s.pageTemporalError(w, &c, err, back)
			return
		}
		http.Redirect(w, r, back+"?decided="+kind, http.StatusSeeOther)
	}
}

// stepDuration is how long st ran, or has been running.
func stepDuration(st *engine.StepRecord, now time.Time) string {
	if st.Start.IsZero() {
		return ""
	}
	end := st.End
	if end.IsZero() {
		end = now
	}
	return roundDuration(end.Sub(st.Start))
}

// timeLeft says how long until deadline.
func timeLeft(deadline, now time.Time) string {
	if deadline.IsZero() {
		return ""
	}
	d := deadline.Sub(now)
	if d <= 0 {
		return "overdue"
	}
	return roundDuration(d) + " left"
}

// roundDuration is d to a precision a person reads at a glance.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	default:
		return d.Round(time.Minute).String()
	}
}
