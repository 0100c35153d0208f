package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// follow waits for execution id to end, printing each step as it starts
// and ends (from the workflow's state query), and returns the outcome.
// When Temporal stops answering (a frontend died) it says so, keeps
// trying for up to reconnect (another frontend of --address may answer
// at once), says when it answers again, and gives up with the command
// that follows the execution again.
func follow(ctx context.Context, cl client.Client, id string, pr *printer, reconnect time.Duration) (*engine.Outcome, error) {
	pr.id = id
	type result struct {
		out *engine.Outcome
		err error
	}
	done := make(chan result, 1)
	wait := func() {
		var out engine.Outcome
		err := cl.GetWorkflow(ctx, id, "").Get(ctx, &out)
		if err == nil {
			done <- result{&out, nil}
			return
		}
		done <- result{interp.OutcomeOf(err), err}
	}
	go wait()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var lost, checked time.Time // lost: zero while connected
	gone := func(err error) error {
		if lost.IsZero() {
			lost = time.Now()
			fmt.Fprintf(pr.w, "runbook: lost the connection to Temporal (%v); retrying for %s. The execution goes on: Ctrl-C detaches, `runbook watch %s` follows it again.\n", connErr(err), reconnect, id)
		}
		if time.Since(lost) > reconnect {
			return &unreachableError{msg: fmt.Sprintf("no answer from Temporal for %s (%v); the execution goes on: runbook watch %s", reconnect, connErr(err), id)}
		}
		return nil
	}
	for {
		select {
		case r := <-done:
			if r.out == nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if !connectionLost(r.err) {
					return nil, unreachable(r.err)
				}
				if err := gone(r.err); err != nil {
					return nil, err
				}
				time.AfterFunc(time.Second, wait)
				continue
			}
			r.out = r.out.Shown()
			pr.update(r.out)
			return r.out, nil
		case <-tick.C:
			if out := interp.State(ctx, cl, id); out != nil {
				lost = pr.restored(lost)
				pr.update(out.Shown())
				continue
			}
			// No answer to the query: no worker, or no Temporal? Ask at
			// most every 2 seconds.
			if time.Since(checked) < 2*time.Second {
				continue
			}
			checked = time.Now()
			hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := cl.CheckHealth(hctx, &client.CheckHealthRequest{})
			cancel()
			switch {
			case err == nil:
				lost = pr.restored(lost)
			case ctx.Err() == nil:
				if err := gone(err); err != nil {
					return nil, err
				}
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// restored says the connection is back when it was lost, and returns the
// zero time (connected).
func (p *printer) restored(lost time.Time) time.Time {
	if !lost.IsZero() {
		fmt.Fprintf(p.w, "runbook: connection to Temporal restored after %s\n", time.Since(lost).Round(time.Second))
	}
	return time.Time{}
}

// connectionLost reports whether err means Temporal did not answer (a
// dead frontend, a cut connection), not that it refused.
func connectionLost(err error) bool {
	var c *serviceerror.Canceled
	return notAnswered(err) || errors.As(err, &c) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// connErr is err's first line, without the SDK's wrapping.
func connErr(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// printer prints step transitions once each, on stderr (text) as they
// happen.
type printer struct {
	w       io.Writer
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
	return &printer{w: e.stderr, started: map[int]bool{}, ended: map[int]bool{}, decided: map[int]int{}, t0: t0}
}

func (p *printer) update(o *engine.Outcome) {
	for i, s := range o.Steps {
		if p.ended[i] {
			continue
		}
		if s.Status == engine.StatusRunning || s.Status == engine.StatusWaiting {
			if !p.started[i] {
				p.started[i] = true
				if s.Approval != nil {
					p.waiting(s)
				} else {
					fmt.Fprintf(p.w, "▶ %s (%s)\n", s.Name, kindName(s))
				}
			}
			p.decisions(i, s)
			continue
		}
		p.decisions(i, s)
		p.ended[i] = true
		fmt.Fprintln(p.w, stepLine(s))
	}
}

// decisions prints an approve step's decisions not printed yet.
func (p *printer) decisions(i int, s *engine.StepRecord) {
	if s.Approval == nil {
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
func stepLine(s *engine.StepRecord) string {
	mark := map[string]string{engine.StatusSucceeded: "✓", engine.StatusSkipped: "↷", engine.StatusFailed: "✗", engine.StatusCancelled: "■"}[s.Status]
	if mark == "" {
		mark = "?"
	}
	line := fmt.Sprintf("%s %s", mark, s.Name)
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

// writeJSON writes v as indented JSON, HTML characters unescaped.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
