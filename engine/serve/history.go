package serve

import (
	"net/http"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/timeline"
)

// history is an execution's timeline, told from its whole history (as
// `runbook history` prints it): secrets as ***, whatever the caller.
func (s *Server) history(w http.ResponseWriter, r *http.Request, _ Caller) {
	if s.cfg.Kinds == nil {
		WriteProblem(w, http.StatusNotImplemented, "this server does not tell histories: it knows no step kinds")
		return
	}
	id := r.PathValue("id")
	h, err := engine.FetchHistory(r.Context(), s.cfg.Client, id, "")
	if err != nil {
		s.temporalError(w, err)
		return
	}
	if err := engine.DecodeHistory(r.Context(), h, s.cfg.Codec); err != nil {
		s.cfg.Logger.Error("history", "id", id, "error", err)
		WriteProblem(w, http.StatusInternalServerError, "the history of "+id+" could not be decoded; the server's log says why")
		return
	}
	t, err := timeline.Build(h, s.cfg.Kinds)
	if err != nil {
		WriteProblem(w, http.StatusUnprocessableEntity, id+": "+err.Error())
		return
	}
	WriteJSON(w, http.StatusOK, t)
}
