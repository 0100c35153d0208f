package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// caller is who a command acts as. Talking to Temporal directly, the CLI
// cannot prove it: it trusts --as (or the OS user) and says so; `runbook
// serve` authenticates callers instead.
type caller struct {
	As string `name:"as" placeholder:"NAME" help:"Act as NAME (default: the OS user). Without the authenticated server this is taken on trust."`
}

// name is the caller's identity.
func (c caller) name() string {
	if c.As != "" {
		return engine.NormalIdentity(c.As)
	}
	return engine.NormalIdentity(identity())
}

// trustNotice says that identities are not verified in this mode.
func trustNotice(w io.Writer, who string) {
	fmt.Fprintf(w, "note: acting as %s, taken on trust: talking to Temporal directly, the CLI cannot verify who you are (runbook serve authenticates callers)\n", who)
}

// identity is the OS user's name.
func identity() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// decideCmd approves or rejects an execution's waiting step.
type decideCmd struct {
	ID      string   `arg:"" name:"id" predictor:"execution" help:"The execution ID."`
	Step    string   `placeholder:"NAME" help:"The waiting step (needed when several wait)."`
	Request string   `placeholder:"ID" help:"The approval request you were shown (runbook approvals, the notification): the decision counts only for it. Default: the request waiting now, printed."`
	Comment string   `placeholder:"TEXT" help:"Why; recorded with the decision."`
	Group   []string `placeholder:"GROUP" sep:"none" help:"A group the caller belongs to (for group: approvers). Repeatable; taken on trust like --as."`
	caller  `embed:""`
	conn    `embed:""`
	remote  `embed:""`
	Output  string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// approveCmd and rejectCmd are the two decisions.
type (
	approveCmd struct{ decideCmd }
	rejectCmd  struct{ decideCmd }
)

// Run sends the approval.
func (c *approveCmd) Run(e *env) error { return c.decide(e, engine.UpdateApprove) }

// Run sends the rejection.
func (c *rejectCmd) Run(e *env) error { return c.decide(e, engine.UpdateReject) }

func (c *decideCmd) decide(e *env, kind string) error {
	if c.apiMode() {
		return c.viaAPI(e, kind)
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	who := c.name()
	trustNotice(e.stderr, who)
	d := engine.Decision{Step: c.Step, Identity: who, Groups: engine.NormalGroups(c.Group), Comment: c.Comment, Request: c.Request}
	if d.Request == "" {
		w, err := interp.Bind(ctx, s.client, c.ID, &d)
		if errors.Is(err, interp.ErrUnanswered) {
			// Sent unbound, the decision would wait for a worker, then be
			// refused: send nothing.
			return &unreachableError{msg: fmt.Sprintf("no worker answered the query for %s; retry, or pass --request", c.ID)}
		}
		if w != nil {
			fmt.Fprintf(e.stderr, "deciding request %s: step %s of %s, params %s\n", d.Request, d.Step, w.Runbook, engine.Pairs(w.Params))
		}
	}
	a, err := interp.Decide(ctx, s.client, c.ID, kind, d)
	if err != nil {
		return decideError(c.ID, err)
	}
	return printDecision(e, c.Output, c.ID, kind, a)
}

// printDecision prints the approval a decision left, in format.
func printDecision(e *env, format, id, kind string, a *engine.Approval) error {
	if format == "json" {
		return writeJSON(e.stdout, a)
	}
	last := a.Decisions[len(a.Decisions)-1]
	fmt.Fprintf(e.stdout, "%s: %s %sd step %s (%s)\n", id, last.Identity, kind, last.Step, tally(a))
	return nil
}

// decideError explains why a decision did not count.
func decideError(id string, err error) error {
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &app):
		return fmt.Errorf("refused: %s", app.Message())
	case errors.As(err, &nf):
		return fmt.Errorf("refused: execution %s is not running", id)
	}
	return unreachable(err)
}

// tally sums an approval up: "1 of 2 approvals", "rejected by bob".
func tally(a *engine.Approval) string {
	n := 0
	for _, d := range a.Decisions {
		if d.Decision == engine.UpdateReject {
			msg := "rejected by " + d.Identity
			if d.Comment != "" {
				msg += ": " + d.Comment
			}
			return msg
		}
		n++
	}
	return fmt.Sprintf("%d of %d approvals", n, a.MinApprovals)
}

// approvalsCmd lists the steps waiting for approval.
type approvalsCmd struct {
	conn   `embed:""`
	remote `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run lists every running execution's waiting steps, soonest deadline
// first. The executions it could not read (no worker answered) are named
// on stderr, and exit 3.
func (c *approvalsCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	rows, unread, err := interp.WaitingUnread(ctx, s.client)
	if err != nil {
		return unreachable(err)
	}
	return c.report(e, rows, unread)
}

// report prints the waiting steps, then names the executions that could
// not be read (exit 3).
func (c *approvalsCmd) report(e *env, rows []*interp.WaitingStep, unread []string) error {
	if len(rows) > 0 || len(unread) == 0 || c.Output == "json" {
		if err := printApprovals(e, c.Output, rows); err != nil {
			return err
		}
	}
	for _, id := range unread {
		fmt.Fprintf(e.stderr, "could not read %s: no worker answered its state query (its approvals are unknown)\n", id)
	}
	if len(unread) > 0 {
		return &unreachableError{msg: fmt.Sprintf("%d running executions could not be read: is a worker running?", len(unread))}
	}
	return nil
}

// printApprovals prints the waiting steps in format.
func printApprovals(e *env, format string, rows []*interp.WaitingStep) error {
	if format == "json" {
		return writeJSON(e.stdout, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(e.stderr, "no step is waiting for approval")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRUNBOOK\tSTEP\tREQUEST\tAPPROVALS\tAPPROVERS\tTIME LEFT\tPARAMS\tMESSAGE")
	for _, w := range rows {
		a := w.Approval
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Runbook, w.Step, a.Request, tally(a),
			strings.Join(a.Approvers, ","), time.Until(a.Deadline).Round(time.Second), engine.Pairs(a.Params), firstLine(a.Message))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "decide with: runbook approve|reject ID --step STEP --request REQUEST")
	return nil
}

// firstLine keeps a message's first line.
func firstLine(s string) string {
	first, _, more := strings.Cut(s, "\n")
	if more {
		return first + " …"
	}
	return first
}
