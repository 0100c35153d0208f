package serve

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// e2eSlackGate is an approval announced in Slack.
const e2eSlackGate = `apiVersion: runbook/v1
kind: Runbook
name: slack-gate
version: 1.0.0
steps:
  - name: gate
    approve:
      approvers: [group:ops]
      message: Fail over prod?
      notify: {slack: {channel: "#ops"}}
`

// e2eSlackHuman is a manual step and a question announced in Slack.
const e2eSlackHuman = `apiVersion: runbook/v1
kind: Runbook
name: slack-human
version: 1.0.0
steps:
  - name: drain
    manual:
      instructions: Drain the service.
      checklist: [Traffic drained, Dashboards quiet]
      assignees: [group:ops]
      notify: {slack: {channel: "#ops"}}
  - name: saw
    ask:
      question: What did the logs show?
      fields:
        errors: {type: string, enum: ["yes", "no"]}
        count: {type: int, min: 0, max: 100}
        paged: {type: bool, default: false}
        note: {type: string, default: ""}
      from: [group:ops]
      notify: {slack: {channel: "#ops"}}
`

// TestSlackApprove: the worker posts the approval to Slack with buttons
// bound to the request waiting; alice's signed click approves it as
// alice (her Slack user mapped by the tokens file), which the history
// records, and the message then says so.
func TestSlackApprove(t *testing.T) {
	e, fs, _ := newSlackE2E(t, e2eSlackGate)
	id := e.start("carol", "slack-gate@^1")
	posted := fs.await(t, "chat.postMessage", 1)[0]
	value := button(t, posted, engine.SlackApprove)
	v, err := engine.ParseSlackAction(value)
	request := waitingRequest(t, e, "alice", id)
	if err != nil || v.Execution != id || v.Step != "gate" || v.Request != request || posted.Form.Get("channel") != "#ops" {
		t.Fatalf("posted to %s a button bound to %+v (%v), want %s, gate, %s", posted.Form.Get("channel"), v, err, id, request)
	}
	if r := button(t, posted, engine.SlackReject); r != value {
		t.Errorf("Reject's value %s, want Approve's %s", r, value)
	}
	if a := e.slack(slackBody(clicked("UALICE", engine.SlackApprove, value, posted)), e2eSlackSecret, time.Now()); a.status != http.StatusOK {
		t.Fatalf("the click: %d %s", a.status, a.body)
	}
	if out := e.wait(id); out.Status != engine.StatusSucceeded {
		t.Fatalf("outcome %+v", out)
	}
	ds := e.decisions(id)
	if len(ds) != 1 || ds[0].Decision != engine.UpdateApprove || ds[0].Identity != "alice" || !slices.Equal(ds[0].Groups, []string{"ops"}) ||
		ds[0].Request != request || ds[0].Step != "gate" {
		t.Errorf("decisions in the history %+v, want alice's approval of %s", ds, request)
	}
	up := fs.await(t, "chat.update", 1)[0]
	if up.Form.Get("channel") != "C0OPS" || up.Form.Get("ts") != "1700000000.000001" || !strings.Contains(up.Form.Get("text"), "Approved by *alice*") ||
		strings.Contains(up.Form.Get("blocks"), engine.SlackApprove) {
		t.Errorf("message updated to %v, want it to say alice approved, without buttons", up.Form)
	}
}

// TestSlackDoneAndAnswer: bob's Done marks the manual step done,
// confirming the checklist the message showed; alice's Answer opens a form
// of the question's fields (views.open), a bad answer comes back with the
// problem on its field and changes nothing, and a good one answers as
// alice; the history records both.
func TestSlackDoneAndAnswer(t *testing.T) {
	e, fs, _ := newSlackE2E(t, e2eSlackHuman)
	id := e.start("carol", "slack-human@^1")
	manual := fs.await(t, "chat.postMessage", 1)[0]
	if a := e.slack(slackBody(clicked("UBOB", engine.SlackDone, button(t, manual, engine.SlackDone), manual)), e2eSlackSecret, time.Now()); a.status != http.StatusOK {
		t.Fatalf("Done: %d %s", a.status, a.body)
	}
	ask := fs.await(t, "chat.postMessage", 2)[1]
	if a := e.slack(slackBody(clicked("UALICE", engine.SlackAnswer, button(t, ask, engine.SlackAnswer), ask)), e2eSlackSecret, time.Now()); a.status != http.StatusOK {
		t.Fatalf("Answer: %d %s", a.status, a.body)
	}
	open := fs.await(t, "views.open", 1)[0].JSON
	view, _ := open["view"].(map[string]any)
	meta, err := engine.ParseSlackAction(view["private_metadata"].(string))
	if open["trigger_id"] != "trigger-UALICE" || view["callback_id"] != engine.SlackAnswer || err != nil || meta.Execution != id || meta.Step != "saw" ||
		meta.Channel != "C0OPS" || meta.TS != "1700000000.000001" {
		t.Fatalf("views.open %v (metadata %+v, %v)", open, meta, err)
	}
	inputs := map[string]map[string]any{}
	for _, b := range view["blocks"].([]any) {
		if b := b.(map[string]any); b["type"] == "input" {
			inputs[b["block_id"].(string)] = b["element"].(map[string]any)
		}
	}
	if inputs["field:errors"]["type"] != "static_select" || inputs["field:count"]["type"] != "number_input" || inputs["field:count"]["min_value"] != "0" ||
		inputs["field:count"]["max_value"] != "100" || inputs["field:paged"]["type"] != "radio_buttons" || inputs["field:note"]["type"] != "plain_text_input" {
		t.Errorf("form inputs %v", inputs)
	}

	values := map[string]any{
		"field:errors": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "yes"}},
		"field:count":  map[string]any{"type": "number_input", "value": "500"},
		"field:paged":  map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "true"}},
		"field:note":   map[string]any{"type": "plain_text_input", "value": nil},
	}
	a := e.slack(slackBody(submitted("UALICE", view["private_metadata"].(string), values)), e2eSlackSecret, time.Now())
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if a.status != http.StatusOK || json.Unmarshal(a.body, &resp) != nil || resp.Action != "errors" || !strings.Contains(resp.Errors["field:count"], "100") || len(resp.Errors) != 1 {
		t.Errorf("a count of 500: %d %s, want the problem on field:count", a.status, a.body)
	}
	if ds := e.decisions(id); len(ds) != 1 {
		t.Fatalf("after the bad answer, decisions %+v, want only the done", ds)
	}
	values["field:count"] = map[string]any{"type": "number_input", "value": "3"}
	a = e.slack(slackBody(submitted("UALICE", view["private_metadata"].(string), values)), e2eSlackSecret, time.Now())
	if a.status != http.StatusOK || json.Unmarshal(a.body, &resp) != nil || resp.Action != "clear" {
		t.Fatalf("the answer: %d %s", a.status, a.body)
	}
	out := e.wait(id)
	if out.Status != engine.StatusSucceeded || len(out.Steps) != 2 {
		t.Fatalf("outcome %+v", out)
	}
	if o := out.Steps[0].Outputs; o["by"] != "bob" || len(o["checked"].([]any)) != 2 {
		t.Errorf("drain's outputs %v, want by bob, both items checked", o)
	}
	if o := out.Steps[1].Outputs; o["errors"] != "yes" || o["count"] != float64(3) || o["paged"] != true || o["note"] != "" {
		t.Errorf("saw's outputs %v", o)
	}
	ds := e.decisions(id)
	if len(ds) != 2 || ds[0].Decision != engine.UpdateDone || ds[0].Identity != "bob" || !slices.Equal(ds[0].Checked, []string{"Traffic drained", "Dashboards quiet"}) ||
		ds[1].Decision != engine.UpdateAnswer || ds[1].Identity != "alice" || ds[1].Request != meta.Request {
		t.Errorf("decisions in the history %+v", ds)
	}
	ups := fs.await(t, "chat.update", 2)
	if !strings.Contains(ups[0].Form.Get("text"), "Done by *bob*") || !strings.Contains(ups[1].Form.Get("text"), "Answered by *alice*") {
		t.Errorf("messages updated to %q and %q", ups[0].Form.Get("text"), ups[1].Form.Get("text"))
	}
}
