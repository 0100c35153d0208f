package serve

import (
	"errors"
	"fmt"
	"net/http"

	"go.temporal.io/api/serviceerror"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// RetryRequest is the body of POST /v1/executions/{id}/retry.
type RetryRequest struct {
	// From is the top-level step to run again from ("": the one that
	// failed); the steps recorded before it are reused, approvals except.
	From string `json:"from,omitempty"`
}

// Retried is the answer to a retry: the new execution, the step it runs
// again from and how many steps it reuses.
type Retried struct {
	ID     string `json:"id"`
	From   string `json:"from"`
	Reused int    `json:"reused"`
}

// retry starts a failed (or cancelled) execution again as the caller, who
// must be among its definition's starters when it lists any, as for a
// start: the failed execution's requester stays recorded, the caller is
// its retrier, and neither may approve it.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, c Caller) {
	var req RetryRequest
	if r.ContentLength != 0 && !decodeJSON(w, r, &req) {
		return
	}
	if s.cfg.Kinds == nil {
		WriteProblem(w, http.StatusNotImplemented, "this server does not retry: it knows no step kinds")
		return
	}
	id := r.PathValue("id")
	in, err := interp.StartInput(r.Context(), s.cfg.Client, s.cfg.Codec, id)
	if err != nil {
		s.temporalError(w, err)
		return
	}
	if err := interp.MayStart(in.Plan, c.Identity, c.Groups); err != nil {
		WriteProblem(w, http.StatusForbidden, "refused: "+err.Error())
		return
	}
	var out engine.Outcome
	if gerr := s.cfg.Client.GetWorkflow(r.Context(), id, "").Get(r.Context(), &out); gerr == nil {
		WriteProblem(w, http.StatusConflict, id+" succeeded: start it again instead")
		return
	} else if o := interp.OutcomeOf(gerr); o != nil {
		out = *o
	} else {
		s.temporalError(w, gerr)
		return
	}
	again, err := interp.RetryInput(s.cfg.Kinds, in, &out, id, req.From, c.Identity)
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, err.Error())
		return
	}
	opts, err := interp.StartOptions(again, in.Plan.Name+"-"+randomSuffix())
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, err.Error())
		return
	}
	run, err := s.cfg.Client.ExecuteWorkflow(r.Context(), opts, engine.WorkflowName, again)
	var dup *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &dup):
		WriteProblem(w, http.StatusConflict, fmt.Sprintf("%s is locked: execution %s holds the lock", in.Plan.Name, opts.ID))
		return
	case err != nil:
		s.temporalError(w, err)
		return
	}
	from := req.From
	if from == "" {
		from = out.Failed
	}
	s.cfg.Metrics.IncExecutionsStarted(in.Plan.Name, "retry")
	s.cfg.Logger.Info("retried", "id", id, "retry", run.GetID(), "by", c.Identity)
	WriteJSON(w, http.StatusCreated, Retried{ID: run.GetID(), From: from, Reused: len(again.Reuse)})
}
