package serve

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// humanView is one human step as the page shows it: an approval, a
// manual step or a question (Kind "", "manual", "ask"). Decide is set
// when the caller may still act on it, and then the page has its form.
// After a refusal, Refusal and Problems say why and Note, Checklist and
// Fields hold what the person sent, so the form shows it again.
type humanView struct {
	ID        string
	Runbook   string
	Step      string
	Kind      string
	Message   string // the approval's message, the instructions, the question
	Approved  int    // approvals so far
	Min       int
	Approvers []string // approvers, assignees; empty: anyone
	Requester string
	Age       string // how long it has waited
	Deadline  time.Time
	Left      string // time left until the deadline
	Decisions []*engine.Decision
	Decide    bool
	Request   string // what an act from this page answers
	Params    string
	Links     []linkView
	Checklist []checkView
	Fields    []*fieldView
	Note      string
	Refusal   string
	Problems  []string
}

// linkView is a link a manual step shows: a link only when its URL is
// http or https with a host, else text.
type linkView struct {
	Title string
	URL   string
	Safe  bool
}

// checkView is one checklist item and whether its box is ticked.
type checkView struct {
	Item    string
	Checked bool
}

// newHumanView is step's human step a of execution id; its age and the
// time left show while it waits.
func newHumanView(id, runbook, step string, a *engine.Approval, waiting bool, now time.Time) *humanView {
	v := &humanView{ID: id, Runbook: runbook, Step: step, Kind: a.Kind, Message: strings.TrimSpace(a.Message), Min: a.MinApprovals,
		Approvers: a.Approvers, Requester: a.Requester, Deadline: a.Deadline, Decisions: a.Decisions, Request: a.Request,
		Params: engine.Pairs(a.Params)}
	if waiting {
		v.Left = timeLeft(a.Deadline, now)
		if !a.Since.IsZero() {
			v.Age = roundDuration(now.Sub(a.Since).Truncate(time.Second))
		}
	}
	for _, d := range a.Decisions {
		if d.Decision == engine.UpdateApprove {
			v.Approved++
		}
	}
	for _, l := range a.Links {
		lv := linkView{Title: l.Title, URL: l.URL, Safe: webURL(l.URL)}
		if lv.Title == "" {
			lv.Title = l.URL
		}
		v.Links = append(v.Links, lv)
	}
	for _, c := range a.Checklist {
		v.Checklist = append(v.Checklist, checkView{Item: c})
	}
	for _, f := range a.Fields {
		v.Fields = append(v.Fields, newFieldView(f))
	}
	return v
}

// webURL reports whether s is an absolute http or https URL with a host:
// the only links the page makes of a step's links (never javascript:,
// data: and the like).
func webURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme == "http" || scheme == "https"
}

// Verb is the page's path for acting on the step: approve (or reject),
// done, answer.
func (v *humanView) Verb() string {
	return (&engine.Approval{Kind: v.Kind}).Verb()
}

// What names the step's kind for a person.
func (v *humanView) What() string {
	switch v.Kind {
	case "manual":
		return "Manual step"
	case "ask":
		return "Question"
	}
	return "Approval"
}

// refused sets the workflow's refusal msg (its first line; the lines
// after it are the problems, one each) and keeps what the person sent in
// form: the note, the items ticked, the answer typed.
func (v *humanView) refused(msg string, form url.Values) {
	first, rest, _ := strings.Cut(msg, "\n")
	v.Refusal = first
	for _, p := range strings.Split(rest, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Problems = append(v.Problems, p)
		}
	}
	v.Note = strings.TrimSpace(form.Get("comment"))
	for i := range v.Checklist {
		v.Checklist[i].Checked = slices.Contains(form["checked"], v.Checklist[i].Item)
	}
	for _, f := range v.Fields {
		f.Value = form.Get(f.FormName())
	}
}
