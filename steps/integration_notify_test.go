package steps_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// publicURL is where the tests' notices say the page is.
const publicURL = "https://runbook.example.com/"

// pdKey is the routing key of the tests' PagerDuty service "payments".
const pdKey = "R0123456789abcdef0123456789abcd"

// inbox is a server that keeps the JSON bodies posted to it; it answers
// status (202 unless set).
type inbox struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	status atomic.Int32
}

func newInbox(t *testing.T) *inbox {
	in := &inbox{}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Errorf("%s %s: body %q is not JSON: %v", r.Method, r.URL, raw, err)
		}
		in.mu.Lock()
		in.bodies = append(in.bodies, m)
		in.mu.Unlock()
		w.WriteHeader(int(max(in.status.Load(), 202)))
	}))
	t.Cleanup(in.Close)
	return in
}

// got returns the bodies received so far and forgets them.
func (in *inbox) got() []map[string]any {
	in.mu.Lock()
	defer in.mu.Unlock()
	b := in.bodies
	in.bodies = nil
	return b
}

// pagerDutyHarness is a harness whose worker pages the inbox pd for
// the service payments, and whose notices link under publicURL.
func pagerDutyHarness(t *testing.T, pd *inbox) *harness {
	return newHarness(t,
		withActivities(steps.WithPagerDutyURL(pd.URL), steps.WithPagerDutyKeys(map[string]string{"payments": pdKey})),
		withInterp(interp.WithPublicURL(publicURL)))
}

// flakyRunbook fails at its probe until the probed server answers 200.
const flakyRunbook = `apiVersion: runbook/v1
kind: Runbook
name: flaky
version: 1.0.0
params:
  URL: {type: string}
notify:
  - pagerduty: {service: payments}
steps:
  - name: probe
    http: {url: "${{ params.URL }}", expect: 200}
`

// A failing runbook triggers an incident (severity error, the step and
// its error, a link to its page) keyed by the execution; its retry,
// succeeding, resolves it with the same key. No history holds the key.
func TestIntegrationNotifyPagerDutyRetry(t *testing.T) {
	pd := newInbox(t)
	h := pagerDutyHarness(t, pd)
	var up atomic.Bool
	probed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(probed.Close)
	p := h.plan(flakyRunbook)
	params := map[string]any{"URL": probed.URL}
	id, err := h.start(p, params)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	if err == nil || out.Failed != "probe" || len(out.Notices) != 1 || out.Notices[0].Error != "" {
		t.Fatalf("status %s at %q, notices %+v: want failed at probe, paged", out.Status, out.Failed, out.Notices)
	}
	page := publicURL + "ui/executions/" + url.PathEscape(id)
	trig := pd.got()
	if len(trig) != 1 {
		t.Fatalf("%d events, want one trigger: %v", len(trig), trig)
	}
	ev := trig[0]
	payload, _ := ev["payload"].(map[string]any)
	details, _ := payload["custom_details"].(map[string]any)
	links, _ := ev["links"].([]any)
	if ev["routing_key"] != pdKey || ev["event_action"] != "trigger" || ev["dedup_key"] != "runbook/flaky/"+id ||
		payload["severity"] != "error" || payload["source"] != "runbook flaky@1.0.0" ||
		!strings.Contains(payload["summary"].(string), "Failed: flaky@1.0.0 at step probe") ||
		details["step"] != "probe" || !strings.Contains(details["error"].(string), "503") ||
		len(links) != 1 || links[0].(map[string]any)["href"] != page {
		t.Errorf("trigger %v", ev)
	}

	up.Store(true)
	checked, _ := engine.CheckParams(p, params)
	in, err := interp.RetryInput(steps.All(), engine.Input{Plan: p, Params: checked, StartedBy: "integration@test"}, out, id, "", "bob")
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := interp.StartOptions(in, id+"-retry")
	if _, err := h.client.ExecuteWorkflow(context.Background(), opts, engine.WorkflowName, in); err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(id + "-retry")
	mustSucceed(t, out, err)
	res := pd.got()
	if len(res) != 1 || res[0]["routing_key"] != pdKey || res[0]["event_action"] != "resolve" || res[0]["dedup_key"] != "runbook/flaky/"+id || res[0]["payload"] != nil {
		t.Errorf("after the retry: %v, want one resolve with the failure's dedup key", res)
	}
	for _, run := range []string{id, id + "-retry"} {
		if hist := historyBytes(t, h, run); strings.Contains(hist, pdKey) || !strings.Contains(hist, "service:payments") {
			t.Errorf("the history of %s holds the routing key, or no service", run)
		}
	}
}

// historyBytes is the execution's history as its protobuf bytes, which
// hold the payloads (unsealed: the tests' executions know no secret) as
// they are.
func historyBytes(t *testing.T, h *harness, id string) string {
	t.Helper()
	var b strings.Builder
	it := h.client.GetWorkflowHistory(context.Background(), id, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(raw)
	}
	return b.String()
}
