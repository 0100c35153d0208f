package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/term"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// sender sends an act on a human step (interp.Decide, or the API's).
type sender func(ctx context.Context, kind string, d engine.Decision) (*engine.Approval, error)

// prompter asks the person following an execution at a terminal to act
// on the human steps they may act on: it shows the instructions, links
// and checklist, asks for each confirmation or answer field (each checked
// as it is entered), and sends the act. One step at a time; Ctrl-C still
// detaches, and the step keeps waiting for anyone else.
type prompter struct {
	ctx   context.Context
	in    *bufio.Reader
	out   io.Writer
	may   func(*interp.WaitingStep) bool // whether the person may act on a step
	send  sender
	queue chan *engine.StepRecord
	once  sync.Once
}

// newPrompter returns a prompter when stdin and stderr are a terminal
// and the output is text; nil otherwise (a pipe, CI, -o json): then the
// printer prints the command to act instead.
func newPrompter(ctx context.Context, format string, may func(*interp.WaitingStep) bool, send sender) *prompter {
	if format != "text" || !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	return &prompter{ctx: ctx, in: bufio.NewReader(os.Stdin), out: os.Stderr, may: may, send: send, queue: make(chan *engine.StepRecord, 16)}
}

// mayAs is may for an identity known here (direct mode).
func mayAs(who string, groups []string) func(*interp.WaitingStep) bool {
	return func(w *interp.WaitingStep) bool { return w.MayDecide(who, groups) }
}

// mayViaAPI is may for the token's identity: the server's inbox lists
// the step.
func mayViaAPI(a *api) func(*interp.WaitingStep) bool {
	return func(w *interp.WaitingStep) bool {
		var rows []*interp.WaitingStep
		if err := a.do("GET", "/v1/inbox", nil, &rows); err != nil {
			return false
		}
		for _, r := range rows {
			if r.ID == w.ID && r.Step == w.Step && r.Approval.Request == w.Approval.Request {
				return true
			}
		}
		return false
	}
}

// directSender acts through Temporal as who (with groups).
func directSender(cl client.Client, id, who string, groups []string) sender {
	return func(ctx context.Context, kind string, d engine.Decision) (*engine.Approval, error) {
		d.Identity, d.Groups = who, groups
		return interp.Decide(ctx, cl, id, kind, d)
	}
}

// apiSender acts through runbook serve's API as the token's identity.
func apiSender(a *api, id string) sender {
	return func(_ context.Context, kind string, d engine.Decision) (*engine.Approval, error) {
		return postAct(a, id, kind, d)
	}
}

// offer queues a waiting step for a prompt when the person may act on it.
func (p *prompter) offer(id string, s *engine.StepRecord) bool {
	if p == nil || !p.may(&interp.WaitingStep{ID: id, Step: s.Name, Approval: s.Approval}) {
		return false
	}
	p.once.Do(func() { go p.loop() })
	select {
	case p.queue <- s:
		return true
	default:
		return false
	}
}

func (p *prompter) loop() {
	for {
		select {
		case s := <-p.queue:
			p.prompt(s)
		case <-p.ctx.Done():
			return
		}
	}
}

// prompt asks for one step's act and sends it.
func (p *prompter) prompt(s *engine.StepRecord) {
	a := s.Approval
	d := engine.Decision{Step: s.Name, Request: a.Request}
	kind := a.Verb()
	var ok bool
	switch a.Kind {
	case "manual":
		ok = p.confirm(a, &d)
	case "ask":
		ok = p.answer(a, &d)
	default:
		kind, ok = p.decide(&d)
	}
	if !ok {
		fmt.Fprintf(p.out, "  not sent: %s keeps waiting (for you or anyone else who may act on it)\n", s.Name)
		return
	}
	if _, err := p.send(p.ctx, kind, d); err != nil {
		fmt.Fprintf(p.out, "  %v\n", decideError(s.Name, err))
	}
}

// confirm asks for each checklist item and a note.
func (p *prompter) confirm(a *engine.Approval, d *engine.Decision) bool {
	for _, item := range a.Checklist {
		v, ok := p.line(fmt.Sprintf("  Confirm %q? [y/N] ", item))
		if !ok || !yes(v) {
			return false
		}
		d.Checked = append(d.Checked, item)
	}
	v, ok := p.line("  Done? Add a note (Enter for none, Ctrl-D to leave it waiting): ")
	d.Comment = v
	return ok
}

// answer asks for each field until its value fits.
func (p *prompter) answer(a *engine.Approval, d *engine.Decision) bool {
	d.Answer = map[string]any{}
	for _, f := range a.Fields {
		for {
			v, ok := p.line("  " + strings.TrimSpace(describeFields([]*engine.PlanParam{f})) + ": ")
			if !ok {
				return false
			}
			given := map[string]any{}
			if v != "" {
				given[f.Name] = v
			}
			typed, err := engine.CheckAnswer([]*engine.PlanParam{f}, given)
			if err == nil {
				if v != "" {
					d.Answer[f.Name] = typed[f.Name]
				}
				break
			}
			fmt.Fprintf(p.out, "    ✗ %v\n", err)
		}
	}
	return true
}

// decide asks an approver to approve or reject.
func (p *prompter) decide(d *engine.Decision) (string, bool) {
	for {
		v, ok := p.line("  Approve? [a]pprove / [r]eject / Enter to leave it: ")
		switch {
		case !ok || v == "":
			return "", false
		case v == "a" || v == "approve":
			return engine.UpdateApprove, true
		case v == "r" || v == "reject":
			d.Comment, ok = p.line("  Why? ")
			return engine.UpdateReject, ok
		}
	}
}

// line prints a prompt and reads one line; false at the input's end.
func (p *prompter) line(prompt string) (string, bool) {
	fmt.Fprint(p.out, prompt)
	s, err := p.in.ReadString('\n')
	if err != nil && s == "" {
		fmt.Fprintln(p.out)
		return "", false
	}
	return strings.TrimSpace(s), true
}

func yes(v string) bool { return v == "y" || v == "Y" || strings.EqualFold(v, "yes") }

// waiting prints a human step that began waiting: what it asks and how
// to act on it; at a terminal, when the person may act on it, the
// prompter asks them.
func (p *printer) waiting(s *engine.StepRecord) {
	a := s.Approval
	if a.Kind == "" {
		fmt.Fprintf(p.w, "%s %s waits for approval: %s\n  %d from %s, until %s\n  runbook approve %s --step %s   (or reject)\n",
			p.st.mark(engine.StatusWaiting), s.Name, firstLine(a.Message), a.MinApprovals, strings.Join(a.Approvers, ", "), a.Deadline.Local().Format(time.DateTime), p.id, s.Name)
		p.prompt.offer(p.id, s)
		return
	}
	fmt.Fprintf(p.w, "%s %s (%s) waits for %s until %s\n", p.st.mark(engine.StatusWaiting), s.Name, a.Kind, a.Who(), a.Deadline.Local().Format(time.DateTime))
	for _, l := range strings.Split(strings.TrimRight(a.Message, "\n"), "\n") {
		fmt.Fprintf(p.w, "  %s\n", l)
	}
	for _, l := range a.Links {
		fmt.Fprintf(p.w, "  %s: %s\n", l.Title, l.URL)
	}
	for _, c := range a.Checklist {
		fmt.Fprintf(p.w, "  [ ] %s\n", c)
	}
	if a.Kind == "ask" {
		fmt.Fprint(p.w, describeFields(a.Fields))
	}
	if !p.prompt.offer(p.id, s) {
		fmt.Fprintf(p.w, "  %s\n", interp.ActCommand(p.id, s.Name, a))
	}
}
