package serve_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/runbook-dev/runbook/engine"
)

// TestPageBrowserLinkFromChat: a notice's link to an execution's page,
// followed from another site (chat, mail: here a page on localhost while
// the server is 127.0.0.1, another site to the browser), opens the page
// signed in: the session cookie is SameSite=Lax, and this is a top-level
// GET. That other site's form posting an approval (with what the page
// shows, request included) decides nothing: Chromium withholds the Lax
// cookie from a cross-site POST, and the page refuses it as cross-origin.
func TestPageBrowserLinkFromChat(t *testing.T) {
	ctx := newPageBrowser(t)
	e := newPageEnv(t, pageGate)
	e.start(0, pageGateID, "bob")
	rec := e.waitStatus(pageGateID, "gate", engine.StatusWaiting)
	page := e.url + "/ui/executions/" + url.PathEscape(pageGateID)
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>chat</title>
<a id="open" href="` + html.EscapeString(page) + `">page-gate waits</a>
<form id="forge" method="post" action="` + html.EscapeString(page+"/approve") + `">
<input type="hidden" name="step" value="gate"><input type="hidden" name="comment" value="forged">
<input type="hidden" name="request" value="` + html.EscapeString(rec.Approval.Request) + `">
<button id="send" type="submit">win a prize</button></form>`))
	}))
	t.Cleanup(chat.Close)
	chatURL := strings.Replace(chat.URL, "127.0.0.1", "localhost", 1)

	pageDo(t, ctx, "sign in",
		chromedp.Navigate(e.url+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=token]`), "alice-page-token"),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.who`)),
	)
	pageDo(t, ctx, "follow the link from chat",
		chromedp.Navigate(chatURL),
		chromedp.Click(chromedp.CSS(`#open`)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	if loc := pageRun(t, ctx, chromedp.Location()); loc != page {
		t.Errorf("the link from chat led to %s, want the execution's page %s (signed in)", loc, page)
	}
	if doc := pageRun(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`))); !strings.Contains(doc, `action="`+html.EscapeString("/ui/executions/"+url.PathEscape(pageGateID)+"/approve")) {
		t.Errorf("the page from chat shows no approve form for alice:\n%s", doc)
	}

	pageDo(t, ctx, "post the chat site's form",
		chromedp.Navigate(chatURL),
		chromedp.Click(chromedp.CSS(`#send`)),
		chromedp.WaitVisible(chromedp.CSS(`main`)),
	)
	if doc := pageRun(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`))); !strings.Contains(doc, "Cross-origin request refused") {
		t.Errorf("the chat site's POST was not refused as cross-origin:\n%s", doc)
	}
	if a := e.waitStatus(pageGateID, "gate", engine.StatusWaiting).Approval; len(a.Decisions) != 0 {
		t.Fatalf("the chat site's POST recorded a decision: %+v", a.Decisions[0])
	}
}
