package serve

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// TestSlackAttacks: interactions that must change nothing are refused,
// each with nothing changed: a forged signature, a stale timestamp, a
// signed body replayed with another payload (403, before anything is
// read), a Slack user the tokens file does not map, the requester
// approving through Slack, and a button value naming another request
// (each told why, only to them; the last two refused and audited by the
// workflow). The execution still waits, no decision is in its history, no
// message was updated; then alice's genuine click approves.
func TestSlackAttacks(t *testing.T) {
	e, fs, audit := newSlackE2E(t, e2eSlackGate)
	// dave, of group ops, is among the approvers: only the rule that the
	// requester never approves stops him.
	id := e.start("dave", "slack-gate@^1")
	posted := fs.await(t, "chat.postMessage", 1)[0]
	value := button(t, posted, engine.SlackApprove)
	v, _ := engine.ParseSlackAction(value)
	other := v
	other.Request = "0123456789abcdef"

	alice := slackBody(clicked("UALICE", engine.SlackApprove, value, posted))
	harmless := slackBody(map[string]any{"type": "view_closed", "user": map[string]any{"id": "UBOB"}})
	ts, sig := SignSlack(e2eSlackSecret, time.Now(), harmless)
	replayed := e.do("POST", "/v1/hooks/slack", alice, SlackTimestampHeader, ts, SlackSignatureHeader, sig)
	for _, tt := range []struct {
		name   string
		answer e2eAnswer
		detail string
	}{
		{"forged signature", e.slack(alice, []byte("another-signing-secret"), time.Now()), "X-Slack-Signature does not match the body and timestamp"},
		{"6 minutes old", e.slack(alice, e2eSlackSecret, time.Now().Add(-6*time.Minute)), "old, outside the 5m0s window"},
		{"replayed with another payload", replayed, "X-Slack-Signature does not match the body and timestamp"},
	} {
		var p Problem
		if tt.answer.status != http.StatusForbidden || json.Unmarshal(tt.answer.body, &p) != nil || !strings.Contains(p.Detail, tt.detail) {
			t.Errorf("%s: %d %s, want 403 saying %q", tt.name, tt.answer.status, tt.answer.body, tt.detail)
		}
	}

	told := map[string]string{ // Slack user -> what they must be told
		"UNOBODY": "your Slack user (UNOBODY) is not mapped to anyone in runbook serve's tokens file",
		"UDAVE":   "dave started this execution and may not approve it",
		"UALICE":  `this decision names approval request "0123456789abcdef"`,
	}
	for user, val := range map[string]string{"UNOBODY": value, "UDAVE": value, "UALICE": other.Encode()} {
		if a := e.slack(slackBody(clicked(user, engine.SlackApprove, val, posted)), e2eSlackSecret, time.Now()); a.status != http.StatusOK {
			t.Errorf("%s's click: %d %s, want 200 (and a message saying why)", user, a.status, a.body)
		}
	}
	for _, c := range fs.upTo("chat.postEphemeral", 3, 10*time.Second) {
		user := c.Form.Get("user")
		if want, ok := told[user]; !ok || !strings.Contains(c.Form.Get("text"), want) || !strings.Contains(c.Form.Get("text"), "Nothing changed") {
			t.Errorf("%s was told %q, want %q", user, c.Form.Get("text"), want)
		}
		delete(told, user)
	}
	if len(told) > 0 {
		t.Errorf("never told: %v", told)
	}
	if !audit.has("dave", "may not approve") || !audit.has("alice", "0123456789abcdef") {
		t.Errorf("audited %v, want dave's and alice's refusals", audit.all())
	}

	if ds := e.decisions(id); len(ds) > 0 {
		t.Errorf("decisions in the history %+v, want none", ds)
	}
	if ups := fs.of("chat.update"); len(ups) > 0 {
		t.Errorf("messages updated: %+v", ups)
	}
	if request := waitingRequest(t, e, "alice", id); request != v.Request {
		t.Errorf("waits on %s, want still %s", request, v.Request)
	}
	m := e.do("GET", "/metrics", nil)
	if !strings.Contains(string(m.body), `runbook_hook_deliveries_total{hook="slack",outcome="refused"} 6`) {
		t.Errorf("metrics do not count 6 refused Slack deliveries:\n%s", m.body)
	}

	if a := e.slack(alice, e2eSlackSecret, time.Now()); a.status != http.StatusOK {
		t.Fatalf("alice's click: %d %s", a.status, a.body)
	}
	if out := e.wait(id); out.Status != engine.StatusSucceeded {
		t.Errorf("after alice's click: %+v", out)
	}
}
