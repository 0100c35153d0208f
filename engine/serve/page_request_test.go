package serve_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// TestPageDecisionNeedsRequest: a page form that names no approval
// request decides nothing (it would bind to whatever waits now, maybe not
// what its decider saw: a new run, a new visit); one that names the
// request waiting decides.
func TestPageDecisionNeedsRequest(t *testing.T) {
	e := newPageEnv(t, pageGate)
	e.start(0, pageGateID, "bob")
	e.waitStatus(pageGateID, "gate", engine.StatusWaiting)
	decide := "/ui/executions/" + url.PathEscape(pageGateID) + "/approve"
	resp, body := e.request(http.MethodPost, decide, "alice-page-token", e.url, url.Values{"step": {"gate"}, "comment": {"unbound"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "names no request") {
		t.Errorf("a decision without request: %d\n%s", resp.StatusCode, body)
	}
	if rec := e.waitStatus(pageGateID, "gate", engine.StatusWaiting); len(rec.Approval.Decisions) != 0 {
		t.Fatalf("a decision was recorded: %+v", rec.Approval.Decisions[0])
	}
	rec := e.waitStatus(pageGateID, "gate", engine.StatusWaiting)
	form := url.Values{"step": {"gate"}, "comment": {"bound"}, "request": {rec.Approval.Request}}
	if resp, body := e.request(http.MethodPost, decide, "alice-page-token", e.url, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a decision naming the request: %d\n%s", resp.StatusCode, body)
	}
	if out := e.result(pageGateID); out.Status != engine.StatusSucceeded {
		t.Errorf("outcome %s", out.Status)
	}
}
