package steps_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// slackAPI is a Slack Web API on loopback: it records the form of every
// chat.postMessage and chat.update, and answers each as Slack does, or
// with the error fail names.
type slackAPI struct {
	mu    sync.Mutex
	calls []slackCall
	fail  string
}

type slackCall struct {
	method string
	form   map[string]string
}

func newSlackAPI(t *testing.T) (*slackAPI, string) {
	s := &slackAPI{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("Slack API: %v", err)
		}
		c := slackCall{method: strings.TrimPrefix(r.URL.Path, "/api/"), form: map[string]string{}}
		for k := range r.PostForm {
			c.form[k] = r.PostForm.Get(k)
		}
		s.mu.Lock()
		s.calls = append(s.calls, c)
		fail := s.fail
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if fail != "" {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": fail})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C0OPS", "ts": "1700000000.000100"})
	}))
	t.Cleanup(hs.Close)
	return s, hs.URL + "/api/"
}

// last is the last call.
func (s *slackAPI) last() slackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[len(s.calls)-1]
}

func (s *slackAPI) failWith(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = code
}

// slackButton is a button of a posted message.
type slackButton struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	Style    string `json:"style"`
	Confirm  *struct {
		Text struct{ Text string } `json:"text"`
	} `json:"confirm"`
}

// buttonsOf are the buttons of the blocks a call posted, and the texts
// the blocks show.
func buttonsOf(t *testing.T, c slackCall) ([]slackButton, string) {
	t.Helper()
	var blocks []struct {
		Type     string          `json:"type"`
		Elements json.RawMessage `json:"elements"`
	}
	var all any
	if err := json.Unmarshal([]byte(c.form["blocks"]), &blocks); err != nil || json.Unmarshal([]byte(c.form["blocks"]), &all) != nil {
		t.Fatalf("blocks %q: %v", c.form["blocks"], err)
	}
	var out []slackButton
	for _, b := range blocks {
		if b.Type == "actions" {
			var bs []slackButton
			_ = json.Unmarshal(b.Elements, &bs)
			out = append(out, bs...)
		}
	}
	var text strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				text.WriteString(s + "\n")
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(all)
	return out, text.String()
}

// TestSlackActivity: the slack activity posts each kind of human step's
// wait with its buttons, every value binding execution, step and request;
// an event as a plain message; and fails clearly without a token or on
// what Slack refuses.
func TestSlackActivity(t *testing.T) {
	api, url := newSlackAPI(t)
	a := steps.NewActivities(aws.Config{}, steps.WithSlack("xoxb-test", url))
	deadline := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	base := engine.SlackNotice{Channel: "#ops", Execution: "exec-1", Runbook: "failover@1.0.0", Step: "gate", Text: "fallback"}
	tests := []struct {
		name     string
		approval engine.Approval
		actions  []string
		shows    []string
	}{
		{"approve", engine.Approval{Message: "Fail over <prod>?", Approvers: []string{"group:ops"}, MinApprovals: 1, Deadline: deadline, Request: "req-approve"},
			[]string{engine.SlackApprove, engine.SlackReject}, []string{"Fail over &lt;prod&gt;?", "1 approval(s) from group:ops", "request req-approve"}},
		{"manual", engine.Approval{Kind: "manual", Message: "Drain it", Checklist: []string{"Drained", "Quiet"}, Deadline: deadline, Request: "req-manual",
			Links: []engine.Link{{Title: "Console", URL: "https://console.example/x"}}},
			[]string{engine.SlackDone}, []string{"☐ Drained", "☐ Quiet", "<https://console.example/x|Console>"}},
		{"ask", engine.Approval{Kind: "ask", Message: "What did you see?", Deadline: deadline, Request: "req-ask",
			Fields: []*engine.PlanParam{{Name: "errors", Type: "string", Enum: []any{"yes", "no"}}}},
			[]string{engine.SlackAnswer}, []string{"`errors` (string)"}},
	}
	for _, tt := range tests {
		n := base
		n.Approval = &tt.approval
		posted, err := a.Slack(context.Background(), n)
		if err != nil || posted.TS != "1700000000.000100" || posted.Channel != "C0OPS" {
			t.Fatalf("%s: %+v, %v", tt.name, posted, err)
		}
		c := api.last()
		if c.method != "chat.postMessage" || c.form["channel"] != "#ops" || c.form["text"] != "fallback" || c.form["token"] != "xoxb-test" {
			t.Errorf("%s: call %+v", tt.name, c)
		}
		buttons, text := buttonsOf(t, c)
		if len(buttons) != len(tt.actions) {
			t.Fatalf("%s: buttons %+v, want %v", tt.name, buttons, tt.actions)
		}
		for i, b := range buttons {
			v, err := engine.ParseSlackAction(b.Value)
			if b.ActionID != tt.actions[i] || err != nil || v.Execution != "exec-1" || v.Step != "gate" || v.Request != tt.approval.Request {
				t.Errorf("%s: button %+v (%v), want %s binding exec-1, gate, %s", tt.name, b, err, tt.actions[i], tt.approval.Request)
			}
		}
		for _, s := range tt.shows {
			if !strings.Contains(text, s) {
				t.Errorf("%s: the blocks do not show %q: %s", tt.name, s, text)
			}
		}
		if tt.name == "manual" && (buttons[0].Confirm == nil || !strings.Contains(buttons[0].Confirm.Text.Text, "Drained; Quiet")) {
			t.Errorf("manual: Done does not confirm the checklist: %+v", buttons[0].Confirm)
		}
	}

	ev := engine.SlackNotice{Channel: "#ops", Execution: "exec-2", Runbook: "diag@1.0.0", Event: engine.EventConcluded, URL: "https://runbook.example/x",
		Finding: &engine.Finding{Node: "done", Finding: "disk full", Severity: "high"}}
	if _, err := a.Slack(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	buttons, text := buttonsOf(t, api.last())
	for _, s := range []string{"diag@1.0.0", "concluded", "exec-2", "disk full", "high", "https://runbook.example/x"} {
		if !strings.Contains(text, s) || len(buttons) > 0 {
			t.Errorf("event: %q not shown, or buttons %v: %s", s, buttons, text)
		}
	}

	failed := engine.SlackNotice{Channel: "#ops", Execution: "exec-3", Runbook: "failover@1.0.0", Event: engine.EventFailed, Step: "promote", Error: "AccessDenied: no"}
	if _, err := a.Slack(context.Background(), failed); err != nil {
		t.Fatal(err)
	}
	if _, text := buttonsOf(t, api.last()); !strings.Contains(text, "failed: execution `exec-3`, at step `promote`") || !strings.Contains(text, "*Error*: AccessDenied: no") {
		t.Errorf("failed event: %s", text)
	}

	api.failWith("channel_not_found")
	_, err := a.Slack(context.Background(), ev)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(app.Message(), "channel_not_found (check the channel") {
		t.Errorf("Slack's refusal: %v, want a final error naming it", err)
	}
	_, err = steps.NewActivities(aws.Config{}).Slack(context.Background(), ev)
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(app.Message(), "no Slack bot token: start it with --slack-token-file") {
		t.Errorf("no token: %v, want a final error saying so", err)
	}
}

// TestIntegrationSlackNoToken: on a worker without a Slack token, a slack
// notify fails as a failed SNS notify does: noted on the step, which goes
// on waiting.
func TestIntegrationSlackNoToken(t *testing.T) {
	h := newHarness(t)
	id, err := h.start(h.plan(`apiVersion: runbook/v1
kind: Runbook
name: slack-gate
version: 1.0.0
steps:
  - name: gate
    approve:
      approvers: [user:alice]
      message: Go?
      notify: {slack: {channel: "#ops"}}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := h.waitStep(id, "gate", engine.StatusWaiting)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(rec.Message, "notify failed") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		rec = h.waitStep(id, "gate", engine.StatusWaiting)
	}
	if !strings.Contains(rec.Message, "Go? (notify failed: this worker has no Slack bot token: start it with --slack-token-file") {
		t.Errorf("step message %q, want the notify failure noted", rec.Message)
	}
}
