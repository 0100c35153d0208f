package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// StartRequest is the body of POST /v1/executions.
type StartRequest struct {
	Definition string         `json:"definition"` // NAME[@VERSION-OR-RANGE]
	Params     map[string]any `json:"params,omitempty"`
}

// start starts a definition as the caller, who must be among its starters
// when it lists any. Params are checked before anything starts.
func (s *Server) start(w http.ResponseWriter, r *http.Request, c Caller) {
	var req StartRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	p, err := s.catalog.Load().Find(req.Definition)
	if err != nil {
		WriteProblem(w, http.StatusNotFound, err.Error())
		return
	}
	if err := interp.MayStart(p, c.Identity, c.Groups); err != nil {
		WriteProblem(w, http.StatusForbidden, err.Error())
		return
	}
	params, err := engine.CheckParams(p, req.Params)
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, "invalid params", strings.Split(err.Error(), "\n")...)
		return
	}
	in := engine.Input{Plan: p, Params: params, StartedBy: c.Identity, Trigger: "api"}
	opts, err := interp.StartOptions(in, p.Name+"-"+randomSuffix())
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, err.Error())
		return
	}
	run, err := s.cfg.Client.ExecuteWorkflow(r.Context(), opts, engine.WorkflowName, in)
	var dup *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &dup):
		WriteProblem(w, http.StatusConflict, fmt.Sprintf("%s is locked: execution %s holds the lock", p.Name, opts.ID))
		return
	case err != nil:
		WriteProblem(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	s.cfg.Metrics.IncExecutionsStarted(p.Name, "api")
	s.cfg.Logger.Info("started", "definition", p.Name+"@"+p.Version, "id", run.GetID(), "by", c.Identity)
	WriteJSON(w, http.StatusCreated, map[string]string{"id": run.GetID(), "definition": p.Name + "@" + p.Version})
}

// randomSuffix makes an execution ID unique: 8 hex digits.
func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Execution is one execution as the API lists and shows it.
type Execution struct {
	ID         string          `json:"id"`
	Definition string          `json:"definition"`
	Status     string          `json:"status"` // running, completed, failed, canceled, terminated, timedout
	Trigger    string          `json:"trigger,omitempty"`
	Start      time.Time       `json:"start"`
	Close      time.Time       `json:"close,omitzero"`
	Outcome    *engine.Outcome `json:"outcome,omitempty"` // show only: the timeline
}

// list lists executions, newest first: ?definition=NAME, ?status=, ?limit=.
func (s *Server) list(w http.ResponseWriter, r *http.Request, _ Caller) {
	execs, err := s.executions(r.Context(), r.URL.Query().Get("definition"), r.URL.Query().Get("status"), r.URL.Query().Get("limit"))
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, err.Error())
		return
	}
	WriteJSON(w, http.StatusOK, execs)
}

func (s *Server) executions(ctx context.Context, def, status, limit string) ([]Execution, error) {
	q, err := interp.ListQuery(def, status)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(limit)
	if limit == "" || err != nil || n <= 0 || n > 1000 {
		n = 100
	}
	resp, err := s.cfg.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: int32(n)})
	if err != nil {
		return nil, err
	}
	out := []Execution{}
	for _, x := range resp.Executions {
		e := Execution{ID: x.Execution.WorkflowId, Status: interp.StatusName(x.Status), Start: x.StartTime.AsTime(),
			Definition: interp.DefinitionOf(x.SearchAttributes), Trigger: interp.SearchAttr(x.SearchAttributes, engine.AttrTrigger)}
		if x.CloseTime != nil {
			e.Close = x.CloseTime.AsTime()
		}
		out = append(out, e)
	}
	return out, nil
}

// show is one execution with its timeline: the state query while it
// runs, its result once ended.
func (s *Server) show(w http.ResponseWriter, r *http.Request, _ Caller) {
	e, err := s.execution(r.Context(), r.PathValue("id"))
	if err != nil {
		s.temporalError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, e)
}

func (s *Server) execution(ctx context.Context, id string) (*Execution, error) {
	d, err := s.cfg.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return nil, err
	}
	info := d.WorkflowExecutionInfo
	e := &Execution{ID: id, Status: interp.StatusName(info.Status), Start: info.StartTime.AsTime()}
	e.Definition, e.Trigger = interp.DefinitionOf(info.SearchAttributes), interp.SearchAttr(info.SearchAttributes, engine.AttrTrigger)
	if info.CloseTime != nil {
		e.Close = info.CloseTime.AsTime()
	}
	if info.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		e.Outcome = interp.State(ctx, s.cfg.Client, id).Shown()
		return e, nil
	}
	var o engine.Outcome
	if gerr := s.cfg.Client.GetWorkflow(ctx, id, "").Get(ctx, &o); gerr == nil {
		e.Outcome = &o
	} else {
		e.Outcome = interp.OutcomeOf(gerr)
	}
	e.Outcome = e.Outcome.Shown()
	return e, nil
}

// DecideRequest is the body of approve, reject, done and answer. Comment
// is a rejection's reason or a done step's note; Checked the checklist
// items confirmed (done); Answer the fields' values (answer), typed or as
// text.
type DecideRequest struct {
	Step    string `json:"step,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Request is the request the caller was shown (GET /v1/inbox, GET
	// /v1/approvals): required, the decision counts only for it.
	Request string         `json:"request"`
	Checked []string       `json:"checked,omitempty"`
	Answer  map[string]any `json:"answer,omitempty"`
}

// decide acts on a human step as the authenticated caller (kind is the
// update: approve, reject, done, answer): the workflow's rules apply
// (listed, not the requester of an approval, once, the checklist
// confirmed, the answer fits). A refusal is a 403 with the workflow's
// reason; nothing changes.
func (s *Server) decide(kind string) func(http.ResponseWriter, *http.Request, Caller) {
	return func(w http.ResponseWriter, r *http.Request, c Caller) {
		var req DecideRequest
		if r.ContentLength != 0 && !decodeJSON(w, r, &req) {
			return
		}
		if req.Request == "" {
			WriteProblem(w, http.StatusBadRequest, "name the approval request you decide (\"request\": GET /v1/approvals shows it): a decision counts only for what its decider was shown")
			return
		}
		a, err := s.decision(r.Context(), r.PathValue("id"), kind, req, c)
		if err != nil {
			s.temporalError(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, a)
	}
}

func (s *Server) decision(ctx context.Context, id, kind string, req DecideRequest, c Caller) (*engine.Approval, error) {
	return s.record(ctx, id, kind, engine.Decision{Step: req.Step, Identity: c.Identity, Groups: c.Groups, Comment: req.Comment,
		Request: req.Request, Checked: req.Checked, Answer: req.Answer})
}

// record sends decision d of kind to execution id under the workflow's
// rules (interp.Decide), and logs and measures it once recorded.
func (s *Server) record(ctx context.Context, id, kind string, d engine.Decision) (*engine.Approval, error) {
	a, err := interp.Decide(ctx, s.cfg.Client, id, kind, d)
	if err == nil {
		s.cfg.Logger.Info("decision", "id", id, "decision", kind, "by", d.Identity)
		if last := a.Decisions[len(a.Decisions)-1]; a.Kind == "" && (kind == engine.UpdateReject || len(a.Decisions) >= a.MinApprovals) {
			s.cfg.Metrics.ObserveApprovalWait(a.Runbook, last.Time.Sub(a.Since))
		}
	}
	return a, err
}

// cancel requests cancellation (the finally steps still run), for the
// execution's requester, its approvers, its cancellers or an admin.
func (s *Server) cancel(w http.ResponseWriter, r *http.Request, c Caller) {
	id := r.PathValue("id")
	in, err := interp.StartInput(r.Context(), s.cfg.Client, s.cfg.Codec, id)
	if err != nil {
		s.temporalError(w, err)
		return
	}
	if err := interp.MayCancel(in, c.Identity, c.Groups, s.cfg.AdminGroup); err != nil {
		s.cfg.Logger.Warn("cancel refused", "id", id, "by", c.Identity, "reason", err)
		WriteProblem(w, http.StatusForbidden, "refused: "+err.Error())
		return
	}
	if err := s.cfg.Client.CancelWorkflow(r.Context(), id, ""); err != nil {
		s.temporalError(w, err)
		return
	}
	s.cfg.Logger.Info("cancel requested", "id", id, "by", c.Identity)
	WriteJSON(w, http.StatusAccepted, map[string]string{"id": id, "status": "cancel requested"})
}

// UnreadHeader names, comma-separated, the running executions GET
// /v1/approvals could not read (no worker answered their state query):
// their approvals are unknown, not absent.
const UnreadHeader = "Runbook-Unread"

// approvals lists the approve steps waiting for a decision the caller may
// make (inbox: every human step the caller may act on).
func (s *Server) approvals(inbox bool) func(http.ResponseWriter, *http.Request, Caller) {
	return func(w http.ResponseWriter, r *http.Request, c Caller) {
		mine, unread, err := s.waitingFor(r.Context(), c)
		if err != nil {
			s.temporalError(w, err)
			return
		}
		if !inbox {
			mine = slices.DeleteFunc(mine, func(ws *interp.WaitingStep) bool { return ws.Approval.Kind != "" })
		}
		if len(unread) > 0 {
			w.Header().Set(UnreadHeader, strings.Join(unread, ","))
		}
		WriteJSON(w, http.StatusOK, mine)
	}
}

// waitingFor are the waiting steps c may decide, and the running
// executions that could not be read.
func (s *Server) waitingFor(ctx context.Context, c Caller) ([]*interp.WaitingStep, []string, error) {
	all, unread, err := interp.WaitingUnread(ctx, s.cfg.Client)
	if err != nil {
		return nil, nil, err
	}
	mine := []*interp.WaitingStep{}
	for _, ws := range all {
		if ws.MayDecide(c.Identity, c.Groups) {
			mine = append(mine, ws)
		}
	}
	return mine, unread, nil
}

// temporalError maps a Temporal error to a problem: a refused decision
// 403, an unknown execution 404, others 503.
func (s *Server) temporalError(w http.ResponseWriter, err error) {
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &app):
		WriteProblem(w, http.StatusForbidden, "refused: "+app.Message())
	case errors.As(err, &nf):
		WriteProblem(w, http.StatusNotFound, "no such execution (or it has ended): "+nf.Error())
	default:
		WriteProblem(w, http.StatusServiceUnavailable, err.Error())
	}
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		WriteProblem(w, http.StatusBadRequest, "the body is not the JSON expected: "+err.Error())
		return false
	}
	return true
}
