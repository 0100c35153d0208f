package serve_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// TestSessionCrossOriginRefused: with alice signed in, requests another
// site makes her browser send (her session cookie goes along: from a
// sibling subdomain even a SameSite=Strict one does) decide nothing: the
// page's forms refuse them as cross-origin, and the JSON API takes no
// cookie, even for a text/plain body a plain HTML form can post. Her own
// page's form, with the same cookie, then decides.
func TestSessionCrossOriginRefused(t *testing.T) {
	e := newPageEnv(t, pageGate)
	e.start(0, pageGateID, "bob")
	rec := e.waitStatus(pageGateID, "gate", engine.StatusWaiting)
	alice := signIn(t, e.url, "alice-page-token")
	page := "/ui/executions/" + url.PathEscape(pageGateID)
	api := "/v1/executions/" + url.PathEscape(pageGateID)
	form := url.Values{"step": {"gate"}, "comment": {"forged"}, "request": {rec.Approval.Request}}.Encode()
	json := `{"step": "gate", "comment": "forged", "request": "` + rec.Approval.Request + `"}`
	sibling := "https://tools.runbook.test"
	for _, tc := range []struct {
		name, path, body string
		header           []string
		want             int
	}{
		{"page, foreign Origin", page + "/approve", form, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"page, cross-site fetch", page + "/reject", form, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"page, sibling subdomain", page + "/approve", form, []string{"Sec-Fetch-Site", "same-site", "Origin", sibling}, http.StatusForbidden},
		{"API approve, text/plain form", api + "/approve", json, []string{"Content-Type", "text/plain", "Sec-Fetch-Site", "same-site", "Origin", sibling}, http.StatusUnauthorized},
		{"API reject, no Origin", api + "/reject", json, []string{"Content-Type", "text/plain"}, http.StatusUnauthorized},
	} {
		if resp, body := sendTo(t, e.url, http.MethodPost, tc.path, alice, tc.body, tc.header...); resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d\n%s", tc.name, resp.StatusCode, tc.want, body)
		}
	}
	if ds := e.waitStatus(pageGateID, "gate", engine.StatusWaiting).Approval.Decisions; len(ds) != 0 {
		t.Fatalf("forged requests recorded decisions: %+v", ds[0])
	}

	mine := url.Values{"step": {"gate"}, "comment": {"mine"}, "request": {rec.Approval.Request}}.Encode()
	if resp, body := sendTo(t, e.url, http.MethodPost, page+"/approve", alice, mine, "Origin", e.url); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alice's own approval: %d\n%s", resp.StatusCode, body)
	}
	o := e.result(pageGateID)
	if ds := o.Steps[0].Approval.Decisions; o.Status != engine.StatusSucceeded || len(ds) != 1 || ds[0].Identity != "alice" || ds[0].Comment != "mine" {
		t.Errorf("outcome %s, decisions %+v: want alice's own approval alone", o.Status, ds)
	}
}
