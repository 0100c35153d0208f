package serve

import (
	"errors"
	"net/http"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// pageDecide acts on a human step as the caller, kind the update:
// approve or reject an approval, mark a manual step done (form fields
// checked, one per item ticked), answer a question (form fields
// field.NAME). Every form names its step, the request its person was
// shown (a form without one acts on nothing) and a comment (a note).
// Accepted, it goes back to the execution's page (303). Refused, nothing
// changes: the execution's page again (403) with the workflow's reason
// and the form as it was sent, or the error page when the step no longer
// waits for the caller.
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
			s.pageError(w, &c, http.StatusBadRequest, "The form names no request, so it cannot say what you saw: open the execution's page again and act there.", back)
			return
		}
		switch kind {
		case engine.UpdateDone:
			req.Checked = r.PostForm["checked"]
		case engine.UpdateAnswer:
			req.Answer = answerOf(r.PostForm)
		}
		_, err := s.decision(r.Context(), id, kind, req, c)
		var app *temporal.ApplicationError
		switch {
		case errors.As(err, &app):
			s.pageRefused(w, r, c, kind, req.Step, app.Message(), err)
		case err != nil:
			s.pageTemporalError(w, &c, err, back)
		default:
			http.Redirect(w, r, back+"?decided="+kind, http.StatusSeeOther)
		}
	}
}

// pageRefused shows a refused act: the execution's page with the step's
// form again, holding the refusal and what was sent (403), when the step
// still waits for the caller; else the error page with the refusal.
func (s *Server) pageRefused(w http.ResponseWriter, r *http.Request, c Caller, kind, step, msg string, err error) {
	id := r.PathValue("id")
	s.cfg.Logger.Info("page: act refused", "id", id, "step", step, "update", kind, "by", c.Identity, "reason", msg)
	e, qerr := s.execution(r.Context(), id)
	if qerr == nil {
		v := s.executionView(e, c)
		for _, h := range v.Decide {
			if h.Step == step && (h.Verb() == kind || h.Kind == "" && kind == engine.UpdateReject) {
				h.refused(msg, r.PostForm)
				s.render(w, http.StatusForbidden, "execution", pageData{Caller: &c, Data: v})
				return
			}
		}
	}
	s.pageTemporalError(w, &c, err, executionPath(id))
}
