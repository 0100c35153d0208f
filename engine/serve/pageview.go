package serve

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// pageInbox lists the human steps waiting for the caller (approvals,
// manual steps, questions), soonest deadline first.
func (s *Server) pageInbox(w http.ResponseWriter, r *http.Request, c Caller) {
	mine, _, err := s.waitingFor(r.Context(), c)
	if err != nil {
		s.pageTemporalError(w, &c, err, "")
		return
	}
	now := s.cfg.Now()
	views := make([]*humanView, 0, len(mine))
	for _, ws := range mine {
		v := newHumanView(ws.ID, ws.Runbook, ws.Step, ws.Approval, true, now)
		v.Decide = true
		views = append(views, v)
	}
	s.render(w, http.StatusOK, "inbox", pageData{Caller: &c, Data: views})
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
// the human steps the caller may act on.
type executionView struct {
	*Execution
	Steps   []*stepView
	Finding *engine.Finding
	Failed  string
	Error   *engine.StepError
	Message string
	Decide  []*humanView
	NoState bool // running, and no worker answered the state query
}

// stepView is one step of the timeline.
type stepView struct {
	*engine.StepRecord
	Message  string // the record's, unless the approval shows it
	Duration string
	Outputs  string // indented JSON
	Approval *humanView
}

// pageExecution shows one execution's timeline.
func (s *Server) pageExecution(w http.ResponseWriter, r *http.Request, c Caller) {
	id := r.PathValue("id")
	e, err := s.execution(r.Context(), id)
	if err != nil {
		s.pageTemporalError(w, &c, err, "/ui/executions")
		return
	}
	notice := map[string]string{
		engine.UpdateApprove: "Your approval is recorded.",
		engine.UpdateReject:  "Your rejection is recorded.",
		engine.UpdateDone:    "The step is marked done.",
		engine.UpdateAnswer:  "Your answer is recorded.",
	}[r.URL.Query().Get("decided")]
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
			sv.Approval = newHumanView(e.ID, st.Approval.Runbook, st.Name, st.Approval, waiting, now)
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
