package serve_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/runbook-dev/runbook/engine"
)

// pageGate waits for alice; its message needs escaping.
const pageGate = `apiVersion: runbook/v1
kind: Runbook
name: page-gate
version: 1.0.0
steps:
  - name: gate
    approve:
      approvers: [user:alice]
      message: Fail over <primary> & restart?
      timeout: 10m
  - name: done
    log: approved on the page
`

// pageGateID is an alarm episode's ID: it holds '/', ':' and a space.
const pageGateID = "page-gate/arn:aws:cloudwatch:us-east-1:123456789012:alarm:db high/2026-01-02T03:04:05.000+0000"

// pageChromium is the path of the Chromium (or Chrome) to drive. Without
// one the browser test is skipped, except in CI (CI=true), which must
// run it.
func pageChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium, chromium-browser or google-chrome in PATH: CI must run the browser test (.ci/run installs Debian's chromium)")
	}
	t.Skip("no chromium, chromium-browser or google-chrome in PATH")
	return ""
}

// newPageBrowser starts a headless Chromium showing a phone-sized
// (390x844) viewport; it stops when the test ends.
func newPageBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(pageChromium(t)), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// pageDo runs the actions, failing the test after 30 seconds or at the
// first error.
func pageDo(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pageRun runs one action and returns its value, failing the test on an
// error.
func pageRun[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pageShot saves a screenshot of the page in the test's artifact
// directory (kept with go test -artifacts).
func pageShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := pageRun(t, ctx, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// TestPageBrowserApprove is an approval decided on a phone: bob's
// execution waits for alice, who signs in with her token in Chromium,
// finds the step in her inbox and approves it with a comment; the
// execution then succeeds with her decision recorded.
func TestPageBrowserApprove(t *testing.T) {
	ctx := newPageBrowser(t) // first: skips before anything starts when there is no Chromium
	e := newPageEnv(t, pageGate)
	e.start(0, pageGateID, "bob")
	e.waitStatus(pageGateID, "gate", engine.StatusWaiting)
	page := "/ui/executions/" + url.PathEscape(pageGateID)
	decide := page + "/approve"

	// The execution's page has the decision forms for alice, not for bob;
	// an unknown execution is a 404.
	for token, want := range map[string]bool{"alice-page-token": true, "bob-page-token": false} {
		resp, body := e.request(http.MethodGet, page, token, "", nil)
		if resp.StatusCode != http.StatusOK || strings.Contains(html.UnescapeString(body), `action="`+decide+`"`) != want || !strings.Contains(body, "Fail over &lt;primary&gt; &amp; restart?") {
			t.Errorf("GET %s as %s: %d, want 200 with the escaped message and forms %v\n%s", page, token, resp.StatusCode, want, body)
		}
	}
	if resp, body := e.request(http.MethodGet, "/ui/executions/no%2Fsuch", "alice-page-token", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown execution: %d, want 404\n%s", resp.StatusCode, body)
	}

	// Neither a forged cross-site POST nor the requester changes anything.
	waiting := e.waitStatus(pageGateID, "gate", engine.StatusWaiting)
	form := url.Values{"step": {"gate"}, "comment": {"forged"}, "request": {waiting.Approval.Request}}
	if resp, body := e.request(http.MethodPost, decide, "alice-page-token", "https://evil.example", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin approve: %d, want 403\n%s", resp.StatusCode, body)
	}
	if resp, body := e.request(http.MethodPost, decide, "bob-page-token", e.url, form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "bob started this execution") {
		t.Errorf("the requester's approve: %d, want 403 with the workflow's reason\n%s", resp.StatusCode, body)
	}
	if a := e.waitStatus(pageGateID, "gate", engine.StatusWaiting).Approval; len(a.Decisions) != 0 {
		t.Fatalf("refused posts recorded decisions: %+v", a.Decisions)
	}

	// Alice signs in from the inbox link and lands on it.
	pageDo(t, ctx, "sign in",
		chromedp.Navigate(e.url+"/ui/inbox"),
		chromedp.SendKeys(chromedp.CSS(`input[name=token]`), "alice-page-token"),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS(`section.human.approve`)),
	)
	if loc := pageRun(t, ctx, chromedp.Location()); loc != e.url+"/ui/inbox" {
		t.Errorf("after signing in: at %s, want the inbox", loc)
	}
	for sel, want := range map[chromedp.CSS]string{
		`section.human.approve h2 a`:     "page-gate@1.0.0",
		`section.human.approve .step`:    "gate",
		`section.human.approve .message`: "Fail over <primary> & restart?",
		`section.human.approve .tally`:   "0 of 1",
		`section.human.approve .id`:      pageGateID,
	} {
		if got := pageRun(t, ctx, chromedp.Text(sel)); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if left := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`section.human.approve .left`))); !strings.HasSuffix(left, "m left") && !strings.HasSuffix(left, "s left") {
		t.Errorf("time left %q, want minutes left of the 10m timeout", left)
	}
	pageShot(t, ctx, "approvals")

	// She approves with a comment and is taken to the execution's page.
	approve := `section.human.approve form[action$="/approve"] `
	pageDo(t, ctx, "approve",
		chromedp.SendKeys(chromedp.CSS(approve+`input[name=comment]`), "checked from my phone"),
		chromedp.Click(chromedp.CSS(approve+`button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if loc, want := pageRun(t, ctx, chromedp.Location()), e.url+page+"?decided=approve"; loc != want {
		t.Errorf("after approving: at %s, want %s", loc, want)
	}
	if doc := pageRun(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`))); strings.Contains(doc, "alice-page-token") {
		t.Errorf("the page shows the token:\n%s", doc)
	}

	// The execution goes on and succeeds, with her decision recorded.
	o := e.result(pageGateID)
	if o.Status != engine.StatusSucceeded || len(o.Steps) != 2 || o.Steps[1].Status != engine.StatusSucceeded {
		t.Fatalf("outcome %s, steps %+v", o.Status, o.Steps)
	}
	ds := o.Steps[0].Approval.Decisions
	if len(ds) != 1 || ds[0].Identity != "alice" || ds[0].Decision != engine.UpdateApprove || ds[0].Comment != "checked from my phone" {
		t.Fatalf("decisions %+v, want alice's approval with her comment", ds)
	}

	// The executions list links to its timeline, ID and all.
	pageDo(t, ctx, "open the execution from the list",
		chromedp.Navigate(e.url+"/ui/executions"),
		chromedp.Click(chromedp.CSS(`a[href="`+page+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.timeline`)),
	)
	if got := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`h1 .status`))); got != "completed" {
		t.Errorf("execution status %q, want completed", got)
	}
	if got := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`ul.decisions li.approve`))); !strings.HasPrefix(got, "alice approved: “checked from my phone”") {
		t.Errorf("decision %q, want alice's approval with her comment", got)
	}
	if got := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`ol.timeline li:nth-child(2) .message`))); got != "approved on the page" {
		t.Errorf("the log step's message %q", got)
	}
	pageShot(t, ctx, "execution")

	// Nothing waits any more; signing out sends her back to the form.
	pageDo(t, ctx, "inbox, then sign out",
		chromedp.Navigate(e.url+"/ui/inbox"),
		chromedp.WaitVisible(chromedp.CSS(`p.empty`)),
		chromedp.Click(chromedp.CSS(`form.who button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.login`)),
		chromedp.Navigate(e.url+"/ui/executions"),
		chromedp.WaitVisible(chromedp.CSS(`form.login`)),
	)
}
