package serve

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// e2eCatchAll starts for any alarm: a refused delivery would start it.
const e2eCatchAll = `apiVersion: runbook/v1
kind: Playbook
name: catch-all
version: 1.0.0
triggers:
  - alarm: "*"
start: done
nodes:
  - name: done
    conclude: {finding: caught, severity: info}
`

// TestE2ERefusals: forged, unsigned, stale and unauthenticated requests
// to every hook and to the API are answered 4xx with a problem, and start
// nothing: no execution has the episode ID any of them would have had,
// and once a valid delivery's execution is visible, it is the only one.
func TestE2ERefusals(t *testing.T) {
	e := newE2E(t, e2eCatchAll)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	arn := func(name string) string {
		return "catch-all/arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + name + "/2026-11-26T10:00:00Z"
	}
	generic := func(name string) []byte {
		b, _ := json.Marshal(Alarm{Name: name, State: "ALARM", Time: at})
		return b
	}
	signed := func(key []byte, ts time.Time, body []byte) []string {
		t, s := SignGeneric(key, ts, body)
		return []string{GenericTimestampHeader, t, GenericSignatureHeader, s}
	}
	eventBridge := []byte(hookTestdata(t, "eventbridge-alarm.json"))
	start, _ := json.Marshal(StartRequest{Definition: "catch-all@^1"})

	forged := e.snsAlarm("sns-forged", "t", at)
	forged.Message = strings.Replace(forged.Message, `"value":"t"`, `"value":"u"`, 1)
	offHost := e.snsAlarm("sns-off-host", "t", at)
	offHost.SigningCertURL = strings.Replace(offHost.SigningCertURL, "127.0.0.1", "localhost", 1)
	e.sns.sign(offHost, "2")
	tests := []struct {
		name   string
		answer e2eAnswer
		status int
		detail string
	}{
		{"SNS message changed after signing", e.postSNS(forged), 403, "SNS signature does not match the message"},
		{"SNS certificate off the allowed hosts", e.postSNS(offHost), 403, `SNS SigningCertURL host "localhost" is not allowed`},
		{"generic, wrong key", e.do("POST", "/v1/hooks/generic", generic("generic-wrong-key"),
			signed([]byte("another-key-of-at-least-32-bytes!!"), time.Now(), generic("generic-wrong-key"))...),
			403, "X-Runbook-Signature does not match the body and timestamp"},
		{"generic, 6 minutes old", e.do("POST", "/v1/hooks/generic", generic("generic-stale"),
			signed(e.key, time.Now().Add(-6*time.Minute), generic("generic-stale"))...),
			403, "old, outside the 5m0s window"},
		{"generic, unsigned", e.do("POST", "/v1/hooks/generic", generic("generic-unsigned")),
			401, "missing X-Runbook-Timestamp and X-Runbook-Signature headers"},
		{"EventBridge, no token", e.do("POST", "/v1/hooks/eventbridge", eventBridge), 401, "no token"},
		{"EventBridge, unknown token", e.do("POST", "/v1/hooks/eventbridge", eventBridge, "Authorization", "Bearer nope"),
			401, "unknown token"},
		{"API, no token", e.do("POST", "/v1/executions", start), 401, "no token"},
		{"API, unknown token", e.do("POST", "/v1/executions", start, "Authorization", "Bearer nope"), 401, "unknown token"},
	}
	for _, tt := range tests {
		var p Problem
		err := json.Unmarshal(tt.answer.body, &p)
		if tt.answer.status != tt.status || tt.answer.ctype != "application/problem+json" || err != nil ||
			p.Status != tt.status || !strings.Contains(p.Detail, tt.detail) {
			t.Errorf("%s: %d %s %s, want %d and a problem saying %q", tt.name, tt.answer.status, tt.answer.ctype,
				tt.answer.body, tt.status, tt.detail)
		}
	}
	e.absent(arn("sns-forged"), arn("sns-off-host"), "catch-all/generic:generic-wrong-key/2026-11-26T10:00:00Z",
		"catch-all/generic:generic-stale/2026-11-26T10:00:00Z", "catch-all/generic:generic-unsigned/2026-11-26T10:00:00Z",
		"catch-all/arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high/2026-11-26T10:00:00.989Z")

	h := e.accepted(e.generic(Alarm{Name: "sentinel", State: "ALARM", Time: at}))
	if len(h.Executions) != 1 || h.Executions[0].Status != "started" {
		t.Fatalf("the valid delivery: %+v", h)
	}
	e.waitCount("", 1, 10*time.Second)
	resp := e.as("alice", "GET", "/v1/executions", nil)
	var list []Execution
	if resp.status != 200 || json.Unmarshal(resp.body, &list) != nil || len(list) != 1 || list[0].ID != h.Executions[0].ID {
		t.Errorf("executions: %d %s, want only %s", resp.status, resp.body, h.Executions[0].ID)
	}
}
