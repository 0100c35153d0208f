package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// printer prints step transitions once each as they happen: text on
// stderr, or with -o jsonl one event per line on stdout.
type printer struct {
	w       io.Writer // notices, and the text lines
	st      style     // of w
	events  io.Writer // -o jsonl: where the events go; nil for text
	id      string
	started map[int]bool
	ended   map[int]bool
	decided map[int]int // decisions printed, per approve step
	t0      time.Time
	// prompt asks the person at the terminal to act on the human steps
	// they may act on; nil: never (the command to act is printed).
	prompt *prompter
}

func newPrinter(e *env, format string, t0 time.Time) *printer {
	p := &printer{w: e.stderr, st: newStyle(e.stderr, e.color), started: map[int]bool{}, ended: map[int]bool{}, decided: map[int]int{}, t0: t0}
	if format == "jsonl" {
		p.events = e.stdout
	}
	return p
}

func (p *printer) update(o *engine.Outcome) {
	for i, s := range o.Steps {
		if p.ended[i] {
			continue
		}
		if s.Status == engine.StatusRunning || s.Status == engine.StatusWaiting {
			if !p.started[i] {
				p.started[i] = true
				p.start(s)
			}
			p.decisions(i, s)
			continue
		}
		p.decisions(i, s)
		p.ended[i] = true
		if p.events != nil {
			if !p.started[i] && !s.Start.IsZero() { // it started and ended between two looks
				p.started[i] = true
				begun := *s
				begun.Status, begun.End, begun.Outputs, begun.Error, begun.Message = engine.StatusRunning, time.Time{}, nil, nil, ""
				p.emit(&event{Event: eventStepStart, Time: s.Start, Step: &begun})
			}
			p.emit(&event{Event: eventStepEnd, Time: s.End, Step: s})
			continue
		}
		fmt.Fprintln(p.w, stepLine(p.st, s))
	}
}

// start prints a step that started, or waits for people.
func (p *printer) start(s *engine.StepRecord) {
	if p.events != nil {
		p.emit(&event{Event: eventStepStart, Time: s.Start, Step: s})
		return
	}
	if s.Approval != nil {
		p.waiting(s)
		return
	}
	fmt.Fprintf(p.w, "%s %s (%s)\n", p.st.mark(engine.StatusRunning), s.Name, kindName(s))
}

// decisions prints an approve step's decisions not printed yet.
func (p *printer) decisions(i int, s *engine.StepRecord) {
	if s.Approval == nil || p.events != nil {
		return
	}
	for _, d := range s.Approval.Decisions[p.decided[i]:] {
		line := fmt.Sprintf("  %s %s", d.Identity, map[string]string{engine.UpdateApprove: "approved", engine.UpdateReject: "rejected", engine.UpdateDone: "marked it done", engine.UpdateAnswer: "answered"}[d.Decision])
		if d.Comment != "" {
			line += ": " + d.Comment
		}
		if len(d.Answer) > 0 {
			line += ": " + engine.Pairs(d.Answer)
		}
		fmt.Fprintln(p.w, line)
	}
	p.decided[i] = len(s.Approval.Decisions)
}

func kindName(s *engine.StepRecord) string {
	if s.Kind == "" {
		return "branch"
	}
	return s.Kind
}

// stepLine is one ended step: mark, name, duration, outputs or error.
func stepLine(st style, s *engine.StepRecord) string {
	line := fmt.Sprintf("%s %s", st.mark(s.Status), s.Name)
	if s.Status == engine.StatusSkipped {
		return line + " skipped"
	}
	if !s.End.IsZero() {
		line += fmt.Sprintf(" %s", s.End.Sub(s.Start).Round(time.Millisecond))
	}
	if s.Message != "" && s.Error == nil {
		line += "  " + s.Message
	}
	if len(s.Outputs) > 0 {
		line += "  " + engine.Pairs(s.Outputs)
	}
	if a := s.Approval; a != nil && a.Kind == "" && s.Status == engine.StatusSucceeded && len(a.Decisions) > 0 {
		var who []string
		for _, d := range a.Decisions {
			who = append(who, d.Identity)
		}
		line += "  approved by " + strings.Join(who, ", ")
	}
	if s.Error != nil {
		line += "  " + errText(s.Error)
	}
	return line
}
