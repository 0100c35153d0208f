package steps_test

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// notifyPlaybook concludes with a high finding from the alarm it was
// started by, paging payments.
const notifyPlaybook = `apiVersion: runbook/v1
kind: Playbook
name: disk-check
version: 1.0.0
params:
  Used: {type: int, default: 97}
notify:
  - pagerduty: {service: payments}
start: look
nodes:
  - name: look
    log: disk at ${{ params.Used }}%
    branch:
      - when: params.Used > 90
        goto: full
    default: fine
  - name: full
    conclude:
      finding: The disk is ${{ params.Used }}% full.
      severity: high
      recommend: {run: disk-clean@1.0.0}
  - name: fine
    conclude: {finding: fine, severity: info}
`

const diskClean = `apiVersion: runbook/v1
kind: Runbook
name: disk-clean
version: 1.0.0
steps:
  - name: clean
    log: cleaned
`

// A concluded playbook, started by an alarm, triggers an incident with
// its finding: the summary, the severity (high: error), the evidence and
// the recommendation, keyed by the alarm's episode.
func TestIntegrationNotifyPagerDutyFinding(t *testing.T) {
	pd := newInbox(t)
	h := pagerDutyHarness(t, pd)
	alarm := map[string]any{"name": "disk-full", "state": "ALARM", "time": "2026-01-02T03:04:05Z", "arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:disk-full"}
	id, err := h.startWith(h.plan(notifyPlaybook, diskClean), nil, func(in *engine.Input) { in.Alarm, in.Trigger = alarm, "alarm" })
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	if out.Finding == nil || len(out.Notices) != 1 || out.Notices[0].Event != engine.EventConcluded || out.Notices[0].Error != "" {
		t.Fatalf("finding %+v, notices %+v", out.Finding, out.Notices)
	}
	evs := pd.got()
	if len(evs) != 1 {
		t.Fatalf("%d events, want one trigger: %v", len(evs), evs)
	}
	ev := evs[0]
	payload, _ := ev["payload"].(map[string]any)
	details, _ := payload["custom_details"].(map[string]any)
	finding, _ := details["finding"].(map[string]any)
	evidence, _ := finding["evidence"].([]any)
	rec, _ := finding["recommend"].(map[string]any)
	if ev["routing_key"] != pdKey || ev["event_action"] != "trigger" || ev["dedup_key"] != "runbook/disk-check/alarm/disk-full/2026-01-02T03:04:05Z" ||
		payload["summary"] != "The disk is 97% full." || payload["severity"] != "error" || details["alarm"] != "disk-full" ||
		finding["severity"] != "high" || len(evidence) != 1 || rec["command"] == nil ||
		!strings.Contains(details["text"].(string), "because at look: params.Used > 90 is true (params.Used=97)") {
		t.Errorf("trigger %v", ev)
	}
}

// An http target announces started, failed and succeeded with the event
// as JSON and its text, which links to the page; a target that fails is
// noted on the outcome and changes nothing else; a dry run announces
// nothing.
func TestIntegrationNotifyHTTP(t *testing.T) {
	hook, broken := newInbox(t), newInbox(t)
	broken.status.Store(500)
	h := newHarness(t, withInterp(interp.WithPublicURL(publicURL)))
	src := head("announced") + `params:
  Fail: {type: bool, default: false}
notify:
  - http: {url: "` + hook.URL + `/${{ execution.name }}"}
    on: [started, failed, succeeded]
  - http: {url: "` + broken.URL + `"}
    on: [succeeded]
steps:
  - name: check
    assert: "!params.Fail"
    message: asked to fail
`
	p := h.plan(src)
	id, err := h.start(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	got := hook.got()
	if len(got) != 2 || got[0]["event"] != engine.EventStarted || got[1]["event"] != engine.EventSucceeded ||
		got[0]["execution"] != id || got[1]["status"] != engine.StatusSucceeded || got[1]["url"] != publicURL+"ui/executions/"+id ||
		!strings.Contains(got[0]["text"].(string), "announced@1.0.0 (execution "+id+") started, by integration@test (manual).") ||
		!strings.HasSuffix(got[1]["text"].(string), "\nExecution: "+publicURL+"ui/executions/"+id+"\n") {
		t.Errorf("notices of a success: %v", got)
	}
	if len(out.Notices) != 3 || out.Notices[2].Target != "http" || !strings.Contains(out.Notices[2].Error, "500") || out.Notices[0].Error != "" {
		t.Errorf("notices on the outcome %+v: want the broken target's failure noted", out.Notices)
	}

	id, err = h.start(p, map[string]any{"Fail": true})
	if err != nil {
		t.Fatal(err)
	}
	out, _ = h.wait(id)
	got = hook.got()
	if out.Status != engine.StatusFailed || len(got) != 2 || got[1]["event"] != engine.EventFailed || got[1]["step"] != "check" ||
		got[1]["error"] != "asked to fail" || !strings.Contains(got[1]["text"].(string), "failed at step check: asked to fail") {
		t.Errorf("status %s, notices of a failure: %v", out.Status, got)
	}
	if n := len(broken.got()); n != 3 {
		t.Errorf("the broken target got %d requests, want 3 (attempts) for the success, none for the failure", n)
	}

	// A dry run announces nothing: a notice acts.
	id, err = h.startWith(p, nil, func(in *engine.Input) { in.DryRun = true })
	if err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(id)
	mustSucceed(t, out, err)
	if got := hook.got(); len(got) != 0 || len(out.Notices) != 0 {
		t.Errorf("a dry run sent %v (notices %+v)", got, out.Notices)
	}
}

// A human step's notice links to the execution's page too.
func TestIntegrationNotifyHumanLink(t *testing.T) {
	hook := newInbox(t)
	h := newHarness(t, withInterp(interp.WithPublicURL(publicURL)))
	id, err := h.start(h.plan(head("linked")+`steps:
  - name: drain
    manual:
      instructions: Drain it.
      notify: {http: {url: "`+hook.URL+`"}}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.waitStep(id, "drain", engine.StatusWaiting)
	if _, err := h.decide(id, engine.UpdateDone, engine.Decision{Identity: "integration@test"}); err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	page := publicURL + "ui/executions/" + id
	got := hook.got()
	if len(got) != 1 || got[0]["url"] != page || !strings.HasSuffix(got[0]["text"].(string), "\nExecution: "+page+"\n") {
		t.Errorf("the manual step's notice %v: want it to link to %s", got, page)
	}
}
