package steps_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// halfManual is a runbook whose middle is a person's: a manual step with
// a checklist and assignees, then a question whose answer routes.
const halfManual = `apiVersion: runbook/v1
kind: Runbook
name: half-manual
version: 1.0.0
params:
  Service: {type: string, default: api}
steps:
  - name: drain
    manual:
      instructions: Drain ${{ params.Service }} in the console.
      links:
        - {title: Console, url: "https://console.example/${{ params.Service }}"}
      checklist: [Traffic drained, Dashboards quiet]
      assignees: [user:alice, group:oncall]
  - name: saw
    ask:
      question: What did the logs of ${{ params.Service }} show?
      fields:
        errors: {type: string, enum: ["yes", "no"]}
        count: {type: int, min: 0, max: 100}
        note: {type: string, default: ""}
    branch:
      - when: steps.saw.errors == "yes"
        goto: bad
  - name: good
    succeed: clean after ${{ steps.drain.by }}
  - name: bad
    fail: ${{ steps.saw.count }} errors, seen by someone after ${{ steps.drain.by }}
`

func TestIntegrationManualAndAsk(t *testing.T) {
	h := newHarness(t)
	id, err := h.startAs(h.plan(halfManual), nil, "carol")
	if err != nil {
		t.Fatal(err)
	}
	rec := h.waitStep(id, "drain", engine.StatusWaiting)
	a := rec.Approval
	if a.Kind != "manual" || a.Message != "Drain api in the console." || len(a.Links) != 1 || a.Links[0].URL != "https://console.example/api" ||
		len(a.Checklist) != 2 || a.Request == "" || a.Requester != "carol" {
		t.Fatalf("manual request %+v", a)
	}
	all := []string{"Traffic drained", "Dashboards quiet"}
	h.mustRefuse(id, engine.UpdateDone, engine.Decision{Identity: "carol", Checked: all}, "carol is not among those who may act on step drain")
	h.mustRefuse(id, engine.UpdateDone, engine.Decision{Identity: "alice", Checked: all[:1]}, "not confirmed: Dashboards quiet")
	h.mustRefuse(id, engine.UpdateDone, engine.Decision{Identity: "alice", Checked: append(all, "Coffee")}, `has no item "Coffee"`)
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Step: "drain"}, "step drain is a manual step, not an approve step: mark it done with `runbook done`")
	h.mustRefuse(id, engine.UpdateAnswer, engine.Decision{Identity: "alice"}, "no step of this execution is waiting for an answer")
	h.mustRefuse(id, engine.UpdateDone, engine.Decision{Identity: "alice", Checked: all, Request: "0000"}, "what you were shown is not what waits")
	if got, err := h.decide(id, engine.UpdateDone, engine.Decision{Identity: "dave", Groups: []string{"oncall"}, Checked: all, Comment: "drained at 10%"}); err != nil || len(got.Decisions) != 1 {
		t.Fatalf("dave (group oncall) marks it done: %+v %v", got, err)
	}
	h.mustRefuse(id, engine.UpdateDone, engine.Decision{Identity: "alice", Checked: all, Step: "drain"}, "step drain is not waiting to be marked done")

	rec = h.waitStep(id, "saw", engine.StatusWaiting)
	if rec.Approval.Kind != "ask" || len(rec.Approval.Fields) != 3 || len(rec.Approval.Approvers) != 0 {
		t.Fatalf("ask request %+v", rec.Approval)
	}
	// A bad answer lists every problem, and nothing is recorded.
	_, err = h.decide(id, engine.UpdateAnswer, engine.Decision{Identity: "carol", Answer: map[string]any{"errors": "maybe", "count": 101, "colour": "red"}})
	for _, want := range []string{"field errors", "field count", "unknown field colour"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad answer: got %v, want it to say %q", err, want)
		}
	}
	if st := h.state(id); len(st.Steps[1].Approval.Decisions) != 0 {
		t.Fatalf("a refused answer was recorded: %+v", st.Steps[1].Approval.Decisions)
	}
	// The requester may answer (no list), and the answer is typed.
	if _, err := h.decide(id, engine.UpdateAnswer, engine.Decision{Identity: "carol", Answer: map[string]any{"errors": "yes", "count": 7}}); err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	if err == nil || out.Failed != "bad" || out.Message != "7 errors, seen by someone after dave" {
		t.Fatalf("the answer must route to bad: %+v %v", out, err)
	}
	drain, saw := out.Steps[0], out.Steps[1]
	if drain.Outputs["by"] != "dave" || drain.Outputs["note"] != "drained at 10%" || drain.Outputs["at"] == "" || len(drain.Outputs["checked"].([]any)) != 2 {
		t.Errorf("manual outputs %+v", drain.Outputs)
	}
	if saw.Outputs["errors"] != "yes" || saw.Outputs["count"] != float64(7) || saw.Outputs["note"] != "" {
		t.Errorf("ask outputs %+v (the answer, defaults filled in)", saw.Outputs)
	}
	d := saw.Approval.Decisions
	if len(d) != 1 || d[0].Identity != "carol" || d[0].Decision != engine.UpdateAnswer || d[0].Time.IsZero() {
		t.Errorf("recorded answer %+v", d)
	}
	if n := len(h.audit.all()); n < 7 {
		t.Errorf("%d refusals audited, want every refused act (7+)", n)
	}
}

// TestIntegrationAskRemindsAndDefaults: an ask step nobody answers is
// announced, reminded at its interval, and takes its default answer at
// the deadline; a manual step nobody does fails.
func TestIntegrationAskRemindsAndDefaults(t *testing.T) {
	var mu sync.Mutex
	var notices []map[string]any
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		notices = append(notices, body)
		mu.Unlock()
	}))
	defer web.Close()
	h := newHarness(t)
	out, err := h.run(`apiVersion: runbook/v1
kind: Runbook
name: nobody-home
version: 1.0.0
params:
  URL: {type: string}
steps:
  - name: saw
    ask:
      question: Anything odd?
      fields:
        odd: {type: bool}
      timeout: 3s
      remind: 1s
      default: {odd: false}
      notify: {http: {url: "${{ params.URL }}"}}
  - name: gone
    manual:
      instructions: Nobody will.
      timeout: 1s
`, map[string]any{"URL": web.URL})
	if err == nil || out.Failed != "gone" || out.Error.Type != "TimedOut" {
		t.Fatalf("the manual step nobody did must time out: %+v %v", out, err)
	}
	if o := out.Steps[0].Outputs; o["odd"] != false || !strings.Contains(out.Steps[0].Message, "the default answer") {
		t.Errorf("the default answer: %+v %q", o, out.Steps[0].Message)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) < 2 || notices[0]["kind"] != "ask" || notices[1]["reminder"] == nil || !strings.Contains(notices[0]["act"].(string), "runbook answer") {
		t.Errorf("want the notice and at least one reminder, got %v", notices)
	}
}
