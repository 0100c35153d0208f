package serve_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// pageLoop asks alice to drain, then whether to drain again: each visit
// of drain is a new request.
const pageLoop = `apiVersion: runbook/v1
kind: Runbook
name: page-loop
version: 1.0.0
steps:
  - name: drain
    maxVisits: 3
    manual:
      instructions: Drain <script>alert(1)</script>
      links:
        - {title: Sneaky, url: "javascript:alert(1)"}
        - {title: Data, url: "data:text/html,<b>x</b>"}
      checklist: [Traffic drained]
      assignees: [user:alice]
      timeout: 10m
  - name: again
    ask:
      question: Again?
      from: [user:alice]
      fields:
        again: {type: bool}
      timeout: 10m
    branch:
      - when: steps.again.again
        goto: drain
`

// TestPageHumanRefusals: what must not act on a manual step or a
// question through the page does not, and changes nothing: a cross-origin
// POST, someone not among the assignees, a checklist not all ticked (the
// form shows again with the refusal and the note), a request from an
// earlier visit of the step. The page shows the instructions' markup as
// text, and no link that is not http or https.
func TestPageHumanRefusals(t *testing.T) {
	e := newPageEnv(t, pageLoop)
	const id = "page-loop/1"
	e.start(0, id, "bob")
	first := e.waitStatus(id, "drain", engine.StatusWaiting).Approval.Request
	page := "/ui/executions/" + url.PathEscape(id)
	done, answer := page+"/done", page+"/answer"
	unchanged := func(step string) {
		t.Helper()
		if d := e.waitStatus(id, step, engine.StatusWaiting).Approval.Decisions; len(d) != 0 {
			t.Fatalf("a refused act was recorded: %+v", d[0])
		}
	}

	// The page escapes the instructions and links only http(s).
	_, body := e.request(http.MethodGet, page, "alice-page-token", "", nil)
	if !strings.Contains(body, `action="`+done+`"`) || !strings.Contains(body, "Drain &lt;script&gt;alert(1)&lt;/script&gt;") ||
		strings.Contains(body, "<script") || strings.Contains(body, "href=\"javascript") || strings.Contains(body, "href=\"data") || strings.Contains(body, "ZgotmplZ") {
		t.Errorf("alice's page: want the form, the markup as text and no javascript: or data: link\n%s", body)
	}

	// Bob is not an assignee: no form, nothing in his inbox, and his post
	// is refused.
	_, body = e.request(http.MethodGet, page, "bob-page-token", "", nil)
	if strings.Contains(body, `action="`+done+`"`) {
		t.Errorf("bob's page has the done form:\n%s", body)
	}
	if _, inbox := e.request(http.MethodGet, "/ui/inbox", "bob-page-token", "", nil); strings.Contains(inbox, "page-loop") {
		t.Errorf("bob's inbox lists alice's step:\n%s", inbox)
	}
	all := url.Values{"step": {"drain"}, "request": {first}, "checked": {"Traffic drained"}, "comment": {"forged"}}
	if resp, body := e.request(http.MethodPost, done, "bob-page-token", e.url, all); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "bob is not among those who may act on step drain") {
		t.Errorf("bob's done: %d, want 403 with the workflow's reason\n%s", resp.StatusCode, body)
	}
	unchanged("drain")

	// A cross-origin post, with everything else right, is refused.
	if resp, body := e.request(http.MethodPost, done, "alice-page-token", "https://evil.example", all); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Cross-origin request refused") {
		t.Errorf("cross-origin done: %d, want 403\n%s", resp.StatusCode, body)
	}
	unchanged("drain")

	// Unticked: the form again, with the refusal and her note.
	half := url.Values{"step": {"drain"}, "request": {first}, "comment": {"half & half"}}
	resp, body := e.request(http.MethodPost, done, "alice-page-token", e.url, half)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not confirmed: Traffic drained") || !strings.Contains(body, `value="half &amp; half"`) || !strings.Contains(body, `action="`+done+`"`) {
		t.Errorf("unticked done: %d, want 403 and the form again with the refusal and the note\n%s", resp.StatusCode, body)
	}
	unchanged("drain")

	// Done, then again: drain waits on a new request.
	all.Set("comment", "first visit")
	if resp, body := e.request(http.MethodPost, done, "alice-page-token", e.url, all); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("done: %d\n%s", resp.StatusCode, body)
	}
	ask := url.Values{"step": {"again"}, "request": {e.waitStatus(id, "again", engine.StatusWaiting).Approval.Request}, "field.again": {"true"}}
	if resp, body := e.request(http.MethodPost, answer, "alice-page-token", "https://evil.example", ask); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Cross-origin request refused") {
		t.Errorf("cross-origin answer: %d, want 403\n%s", resp.StatusCode, body)
	}
	unchanged("again")
	if resp, body := e.request(http.MethodPost, answer, "alice-page-token", e.url, ask); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", resp.StatusCode, body)
	}
	var second string
	for second == "" || second == first {
		second = e.waitStatus(id, "drain", engine.StatusWaiting).Approval.Request
	}

	// The first visit's form acts on nothing now.
	all.Set("comment", "stale")
	if resp, body := e.request(http.MethodPost, done, "alice-page-token", e.url, all); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "what you were shown is not what waits") {
		t.Errorf("a stale request: %d, want 403 with the workflow's reason\n%s", resp.StatusCode, body)
	}
	unchanged("drain")

	all.Set("request", second)
	if resp, body := e.request(http.MethodPost, done, "alice-page-token", e.url, all); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second done: %d\n%s", resp.StatusCode, body)
	}
	ask = url.Values{"step": {"again"}, "request": {e.waitStatus(id, "again", engine.StatusWaiting).Approval.Request}, "field.again": {"false"}}
	if resp, body := e.request(http.MethodPost, answer, "alice-page-token", e.url, ask); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second answer: %d\n%s", resp.StatusCode, body)
	}
	if o := e.result(id); o.Status != engine.StatusSucceeded {
		t.Fatalf("outcome %s: %+v", o.Status, o.Error)
	}
}
