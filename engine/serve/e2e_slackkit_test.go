package serve

// The Slack end-to-end kit: a Slack Web API on loopback that the worker
// posts to and the server opens forms and updates messages through, and
// interaction payloads built and signed as Slack builds them: a form whose
// payload= is the interaction's JSON, signed (v0) over the raw body.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// e2eSlackSecret is the Slack app's signing secret in these tests.
var e2eSlackSecret = []byte("e2e-slack-signing-secret")

// e2eSlackUsers map e2eCallers to Slack users; UNOBODY is mapped to none.
var e2eSlackUsers = map[string]string{"alice": "UALICE", "bob": "UBOB", "carol": "UCAROL", "dave": "UDAVE"}

// fakeSlack is a Slack Web API: it records every call (its form, or its
// JSON body) and answers as Slack does.
type fakeSlack struct {
	mu    sync.Mutex
	calls []fakeSlackCall
	ts    int
}

type fakeSlackCall struct {
	Method string
	Form   url.Values
	JSON   map[string]any
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := fakeSlackCall{Method: strings.TrimPrefix(r.URL.Path, "/api/")}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &c.JSON)
	} else {
		_ = r.ParseForm()
		c.Form = r.PostForm
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.ts++
	ts := fmt.Sprintf("1700000000.%06d", f.ts)
	f.mu.Unlock()
	answer := map[string]any{"ok": true, "channel": "C0OPS", "ts": ts}
	switch c.Method {
	case "views.open":
		answer["view"] = map[string]any{"id": "V1", "type": "modal"}
	case "chat.postEphemeral":
		answer["message_ts"] = ts
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// of are the calls of method so far.
func (f *fakeSlack) of(method string) []fakeSlackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeSlackCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// await waits until there are n calls of method, and returns them.
func (f *fakeSlack) await(t *testing.T, method string, n int) []fakeSlackCall {
	t.Helper()
	cs := f.upTo(method, n, 30*time.Second)
	if len(cs) < n {
		t.Fatalf("Slack never got %d %s calls: %+v", n, method, cs)
	}
	return cs
}

// upTo waits, no longer than within, until there are n calls of method,
// and returns the calls there are.
func (f *fakeSlack) upTo(method string, n int, within time.Duration) []fakeSlackCall {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cs := f.of(method); len(cs) >= n {
			return cs
		}
	}
	return f.of(method)
}

// newSlackE2E is the harness with the fake Slack API behind the worker's
// slack activity and the server's Slack hook, the Slack users of
// e2eSlackUsers mapped, and refusals audited into audit.
func newSlackE2E(t *testing.T, defs ...string) (*e2e, *fakeSlack, *memAudit) {
	fs := &fakeSlack{}
	hs := httptest.NewServer(fs)
	t.Cleanup(hs.Close)
	audit := &memAudit{}
	e := newE2EWith(t, e2eSetup{
		worker: []steps.ActivitiesOption{steps.WithSlack("xoxb-e2e", hs.URL+"/api/")},
		audit:  audit,
		config: func(c *Config) {
			c.Slack = &SlackConfig{SigningSecret: e2eSlackSecret, Token: "xoxb-e2e", APIURL: hs.URL + "/api/"}
		},
		slack: e2eSlackUsers,
	}, defs...)
	return e, fs, audit
}

// start starts definition as identity through the API and returns its ID.
func (e *e2e) start(identity, definition string) string {
	e.tb.Helper()
	a := e.as(identity, "POST", "/v1/executions", StartRequest{Definition: definition})
	var out map[string]string
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &out) != nil {
		e.tb.Fatalf("start %s: %d %s", definition, a.status, a.body)
	}
	return out["id"]
}

// button finds the button action of a posted message, and its value.
func button(t *testing.T, posted fakeSlackCall, action string) string {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(posted.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("posted blocks: %v", err)
	}
	for _, b := range blocks {
		for _, el := range b.Elements {
			if b.Type == "actions" && el.ActionID == action {
				return el.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", action, posted.Form.Get("blocks"))
	return ""
}

// clicked is the block_actions payload of user clicking the button action
// with value on the posted message, as Slack sends it.
func clicked(user, action, value string, posted fakeSlackCall) map[string]any {
	var blocks any
	_ = json.Unmarshal([]byte(posted.Form.Get("blocks")), &blocks)
	return map[string]any{
		"type": "block_actions", "token": "legacy-verification-token", "api_app_id": "A0RUNBOOK", "trigger_id": "trigger-" + user,
		"team": map[string]any{"id": "T0TEAM", "domain": "example"}, "user": map[string]any{"id": user, "username": strings.ToLower(user)},
		"container":    map[string]any{"type": "message", "message_ts": "1700000000.000001", "channel_id": "C0OPS", "is_ephemeral": false},
		"channel":      map[string]any{"id": "C0OPS", "name": "ops"},
		"message":      map[string]any{"type": "message", "ts": "1700000000.000001", "text": posted.Form.Get("text"), "blocks": blocks},
		"response_url": "https://hooks.slack.com/actions/T0TEAM/1/x",
		"actions": []any{map[string]any{"type": "button", "action_id": action, "block_id": "runbook.actions", "value": value,
			"text": map[string]any{"type": "plain_text", "text": action}, "action_ts": "1700000001.000200"}},
	}
}

// submitted is the view_submission payload of user submitting the answer
// form with metadata meta and values (block ID -> the input's state).
func submitted(user, meta string, values map[string]any) map[string]any {
	state := map[string]any{}
	for block, v := range values {
		state[block] = map[string]any{fieldAction: v}
	}
	return map[string]any{
		"type": "view_submission", "token": "legacy-verification-token", "api_app_id": "A0RUNBOOK", "trigger_id": "trigger-submit",
		"team": map[string]any{"id": "T0TEAM"}, "user": map[string]any{"id": user},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": engine.SlackAnswer, "private_metadata": meta,
			"state": map[string]any{"values": state}},
	}
}

// slackBody is the form Slack posts: payload= the interaction's JSON.
func slackBody(payload map[string]any) []byte {
	b, _ := json.Marshal(payload)
	return []byte("payload=" + url.QueryEscape(string(b)))
}

// slack posts body to the Slack hook, signed with secret at ts.
func (e *e2e) slack(body []byte, secret []byte, ts time.Time) e2eAnswer {
	e.tb.Helper()
	t, sig := SignSlack(secret, ts, body)
	return e.do("POST", "/v1/hooks/slack", body, "Content-Type", "application/x-www-form-urlencoded",
		SlackTimestampHeader, t, SlackSignatureHeader, sig)
}

// decisions are the decisions execution id's history accepted: its
// updates' arguments.
func (e *e2e) decisions(id string) []engine.Decision {
	e.tb.Helper()
	it := e.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []engine.Decision
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			e.tb.Fatalf("history of %s: %v", id, err)
		}
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			var d engine.Decision
			if err := converter.GetDefaultDataConverter().FromPayloads(a.GetAcceptedRequest().GetInput().GetArgs(), &d); err != nil {
				e.tb.Fatalf("update of %s: %v", id, err)
			}
			d.Decision = a.GetAcceptedRequest().GetInput().GetName()
			out = append(out, d)
		}
	}
	return out
}

// memAudit keeps the refusals a worker audits.
type memAudit struct {
	mu   sync.Mutex
	list []string // identity: reason
}

func (a *memAudit) Refused(r interp.Refusal) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, r.Identity+": "+r.Reason)
}

// all are the refusals audited so far.
func (a *memAudit) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.list...)
}

// has reports whether a refusal of identity whose reason holds reason
// was audited.
func (a *memAudit) has(identity, reason string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.list {
		if strings.HasPrefix(r, identity+": ") && strings.Contains(r, reason) {
			return true
		}
	}
	return false
}
