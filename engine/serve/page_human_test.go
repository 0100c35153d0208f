package serve_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/runbook-dev/runbook/engine"
)

// pageHuman has a manual step for alice, whose instructions and links
// need care (markup, a javascript: link), then a question for her with a
// field of each input.
const pageHuman = `apiVersion: runbook/v1
kind: Runbook
name: page-human
version: 1.0.0
steps:
  - name: drain
    manual:
      instructions: |
        Drain <primary> & <script>alert("x")</script>
        Then watch the dashboards.
      links:
        - {title: Console, url: "https://console.example/db?a=1&b=2"}
        - {title: Sneaky, url: "javascript:alert(1)"}
      checklist: [Traffic drained, Dashboards quiet]
      assignees: [user:alice]
      timeout: 10m
  - name: saw
    ask:
      question: What did you see?
      from: [user:alice]
      fields:
        ticket: {type: string, pattern: "^INC-[0-9]+$", description: the incident's ticket}
        severity: {type: string, enum: [low, high]}
        errors: {type: int, min: 0, max: 100}
        ratio: {type: float, default: 0.5}
        paged: {type: bool, default: false}
      timeout: 10m
`

// pageHumanID is the execution's ID; it holds '/'.
const pageHumanID = "page-human/run 1"

// TestPageBrowserHumanSteps: alice, on a phone, finds bob's manual step
// in her inbox, ticks its checklist and marks it done; then answers the
// question, first with values the workflow refuses (the problems show,
// her values stay, nothing is recorded), then with good ones. The
// execution completes and its page says who did what when.
func TestPageBrowserHumanSteps(t *testing.T) {
	ctx := newPageBrowser(t)
	e := newPageEnv(t, pageHuman)
	e.start(0, pageHumanID, "bob")
	e.waitStatus(pageHumanID, "drain", engine.StatusWaiting)
	page := "/ui/executions/" + url.PathEscape(pageHumanID)

	pageDo(t, ctx, "sign in to the inbox",
		chromedp.Navigate(e.url+"/ui/approvals"), // the inbox's earlier address still leads there
		chromedp.SendKeys(chromedp.CSS(`input[name=token]`), "alice-page-token"),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS(`section.human.done`)),
	)
	if loc := pageRun(t, ctx, chromedp.Location()); loc != e.url+"/ui/inbox" {
		t.Errorf("after signing in: at %s, want the inbox", loc)
	}
	card := `section.human.done `
	for sel, want := range map[string]string{card + `.what`: "Manual step", card + `h2 a`: "page-human@1.0.0", card + `.step`: "drain", card + `.id`: pageHumanID} {
		if got := pageRun(t, ctx, chromedp.Text(chromedp.CSS(sel))); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if left := pageRun(t, ctx, chromedp.Text(chromedp.CSS(card+`.left`))); !strings.HasSuffix(left, "left") {
		t.Errorf("deadline %q, want the time left", left)
	}
	if age := pageRun(t, ctx, chromedp.Text(chromedp.CSS(card+`.age`))); age == "" {
		t.Error("no age")
	}
	pageShot(t, ctx, "inbox")

	// The step's form, from the inbox's link: the instructions are text,
	// with their line break; only the https link is a link.
	form := `#act-drain form.done `
	pageDo(t, ctx, "open the manual step",
		chromedp.Click(chromedp.CSS(card+`a.act`)),
		chromedp.WaitVisible(chromedp.CSS(form+`button`)),
	)
	if got, want := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`#act-drain .message`))), "Drain <primary> & <script>alert(\"x\")</script>\nThen watch the dashboards."; got != want {
		t.Errorf("instructions %q, want %q", got, want)
	}
	if n := len(pageRun(t, ctx, chromedp.Nodes(chromedp.CSS(`script`), chromedp.AtLeast(0)))); n != 0 {
		t.Errorf("%d script elements on the page, want none", n)
	}
	links := pageRun(t, ctx, chromedp.AttributesAll(chromedp.CSS(`#act-drain ul.links a`)))
	if len(links) != 1 || links[0]["href"] != "https://console.example/db?a=1&b=2" {
		t.Errorf("links %v, want the console's alone", links)
	}
	if got := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`#act-drain ul.links .unsafe`))); got != "Sneaky (javascript:alert(1))" {
		t.Errorf("the javascript: link shows as %q, want it as text", got)
	}
	pageShot(t, ctx, "manual")

	pageDo(t, ctx, "tick the checklist and mark it done",
		chromedp.Click(chromedp.CSS(form+`input[value="Traffic drained"]`)),
		chromedp.Click(chromedp.CSS(form+`input[value="Dashboards quiet"]`)),
		chromedp.SendKeys(chromedp.CSS(form+`input[name=comment]`), "drained at 10%"),
		chromedp.Click(chromedp.CSS(form+`button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if loc, want := pageRun(t, ctx, chromedp.Location()), e.url+page+"?decided=done"; loc != want {
		t.Errorf("after done: at %s, want %s", loc, want)
	}

	// The question, from the inbox: its inputs hold the defaults.
	e.waitStatus(pageHumanID, "saw", engine.StatusWaiting)
	form = `#act-saw form.answer `
	pageDo(t, ctx, "open the question",
		chromedp.Navigate(e.url+"/ui/inbox"),
		chromedp.Click(chromedp.CSS(`section.human.answer a.act`)),
		chromedp.WaitVisible(chromedp.CSS(form+`button`)),
	)
	for sel, want := range map[string]string{`input[name="field.ratio"]`: "0.5", `input[name="field.errors"]`: "", `input[name="field.ticket"]`: ""} {
		if got := pageRun(t, ctx, chromedp.Value(chromedp.CSS(form+sel))); got != want {
			t.Errorf("%s holds %q, want %q", sel, got, want)
		}
	}
	errs := pageRun(t, ctx, chromedp.Attributes(chromedp.CSS(form+`input[name="field.errors"]`)))
	if errs["type"] != "number" || errs["min"] != "0" || errs["max"] != "100" || errs["step"] != "1" {
		t.Errorf("errors input %v, want a number in [0, 100]", errs)
	}
	if p := pageRun(t, ctx, chromedp.Attributes(chromedp.CSS(form+`input[name="field.ticket"]`)))["pattern"]; !strings.Contains(p, "^INC-[0-9]+$") {
		t.Errorf("ticket pattern %q", p)
	}
	if n := len(pageRun(t, ctx, chromedp.Nodes(chromedp.CSS(form+`input[name="field.paged"][value=false]:checked`)))); n != 1 {
		t.Errorf("paged: the default no is not checked")
	}

	// Values the browser would stop are sent anyway (as by a browser that
	// does not check forms): the workflow refuses them, every problem shows
	// and the form keeps them.
	pageDo(t, ctx, "a bad answer",
		chromedp.SetAttributeValue(chromedp.CSS(form), "novalidate", ""),
		chromedp.SendKeys(chromedp.CSS(form+`input[name="field.ticket"]`), "oops"),
		chromedp.SetValue(chromedp.CSS(form+`select[name="field.severity"]`), "high"),
		chromedp.SendKeys(chromedp.CSS(form+`input[name="field.errors"]`), "500"),
		chromedp.Click(chromedp.CSS(form+`button`)),
		chromedp.WaitVisible(chromedp.CSS(`#act-saw div.error`)),
	)
	problems := pageRun(t, ctx, chromedp.Text(chromedp.CSS(`#act-saw ul.problems`)))
	for _, want := range []string{"field errors", "field ticket", `"oops" does not match`} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems %q, want %q", problems, want)
		}
	}
	for sel, want := range map[string]string{`input[name="field.ticket"]`: "oops", `input[name="field.errors"]`: "500", `select[name="field.severity"]`: "high", `input[name="field.ratio"]`: "0.5"} {
		if got := pageRun(t, ctx, chromedp.Value(chromedp.CSS(form+sel))); got != want {
			t.Errorf("after the refusal %s holds %q, want %q", sel, got, want)
		}
	}
	if rec := e.waitStatus(pageHumanID, "saw", engine.StatusWaiting); len(rec.Approval.Decisions) != 0 {
		t.Fatalf("a refused answer was recorded: %+v", rec.Approval.Decisions)
	}
	pageShot(t, ctx, "refused")

	pageDo(t, ctx, "a good answer",
		chromedp.Clear(chromedp.CSS(form+`input[name="field.ticket"]`)),
		chromedp.SendKeys(chromedp.CSS(form+`input[name="field.ticket"]`), "INC-42"),
		chromedp.Clear(chromedp.CSS(form+`input[name="field.errors"]`)),
		chromedp.SendKeys(chromedp.CSS(form+`input[name="field.errors"]`), "7"),
		chromedp.Click(chromedp.CSS(form+`input[name="field.paged"][value=true]`)),
		chromedp.Click(chromedp.CSS(form+`button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)

	// It completes with both acts recorded, and the page shows them.
	o := e.result(pageHumanID)
	if o.Status != engine.StatusSucceeded {
		t.Fatalf("outcome %s: %+v", o.Status, o.Error)
	}
	done, answer := o.Steps[0].Approval.Decisions, o.Steps[1].Approval.Decisions
	if len(done) != 1 || done[0].Identity != "alice" || done[0].Comment != "drained at 10%" || len(done[0].Checked) != 2 || done[0].Time.IsZero() {
		t.Errorf("done %+v", done)
	}
	if len(answer) != 1 || answer[0].Identity != "alice" || answer[0].Time.IsZero() || engine.Pairs(answer[0].Answer) != "errors=7 paged=true ratio=0.5 severity=high ticket=INC-42" {
		t.Errorf("answer %+v", answer)
	}
	pageDo(t, ctx, "the execution's page", chromedp.Navigate(e.url+page), chromedp.WaitVisible(chromedp.CSS(`ul.decisions li.answer`)))
	for sel, want := range map[string]string{
		`ul.decisions li.done`:   "alice marked it done: “drained at 10%” confirmed: Traffic drained; Dashboards quiet " + done[0].Time.UTC().Format("2006-01-02 15:04:05Z"),
		`ul.decisions li.answer`: "alice answered errors=7 paged=true ratio=0.5 severity=high ticket=INC-42 " + answer[0].Time.UTC().Format("2006-01-02 15:04:05Z"),
	} {
		if got := pageRun(t, ctx, chromedp.Text(chromedp.CSS(sel))); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	pageShot(t, ctx, "record")
}
