package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/engine/serve"
)

// inboxCmd lists every human step waiting that the caller may act on.
type inboxCmd struct {
	Group  []string `placeholder:"GROUP" sep:"none" help:"A group the caller belongs to (for group: entries). Repeatable; taken on trust like --as."`
	caller `embed:""`
	conn   `embed:""`
	remote `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run lists the approvals, manual steps and questions waiting for the
// caller, oldest first, with the command that acts on each.
func (c *inboxCmd) Run(e *env) error {
	var rows []*interp.WaitingStep
	var unread []string
	if c.apiMode() {
		if err := noIdentityFlags(c.As, c.Group); err != nil {
			return err
		}
		var err error
		if rows, unread, err = inboxViaAPI(&c.remote, "/v1/inbox"); err != nil {
			return err
		}
	} else {
		ctx := context.Background()
		s, err := c.connect(ctx, false)
		if err != nil {
			return err
		}
		defer s.close()
		all, u, err := interp.WaitingUnread(ctx, s.client)
		if err != nil {
			return unreachable(err)
		}
		who, groups := c.name(), engine.NormalGroups(c.Group)
		rows, unread = slices.DeleteFunc(all, func(w *interp.WaitingStep) bool { return !w.MayDecide(who, groups) }), u
	}
	slices.SortStableFunc(rows, func(a, b *interp.WaitingStep) int { return a.Approval.Since.Compare(b.Approval.Since) })
	if c.Output == "json" {
		if err := writeJSON(e.stdout, rows); err != nil {
			return err
		}
	} else if err := printInbox(e, rows); err != nil {
		return err
	}
	return reportUnread(e, unread)
}

// printInbox prints the waiting steps as a table, then each one's command.
func printInbox(e *env, rows []*interp.WaitingStep) error {
	if len(rows) == 0 {
		fmt.Fprintln(e.stderr, "nothing is waiting for you")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tID\tRUNBOOK\tSTEP\tKIND\tAGE\tTIME LEFT\tASKS")
	for i, w := range rows {
		a := w.Approval
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, w.ID, w.Runbook, w.Step, humanKind(a), time.Since(a.Since).Round(time.Second),
			time.Until(a.Deadline).Round(time.Second), firstLine(a.Message))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	for i, w := range rows {
		fmt.Fprintf(e.stdout, "%d: %s\n", i+1, actCommand(w.ID, w.Step, w.Approval))
	}
	return nil
}

// humanKind names a human step's kind as definitions write it.
func humanKind(a *engine.Approval) string {
	if a.Kind == "" {
		return "approve"
	}
	return a.Kind
}

// actCommand is the command that acts on a waiting step.
func actCommand(id, step string, a *engine.Approval) string {
	if a.Kind == "" {
		return fmt.Sprintf("runbook approve|reject %s --step %s --request %s", id, step, a.Request)
	}
	return interp.ActCommand(id, step, a)
}

// reportUnread names the executions that could not be read (exit 3).
func reportUnread(e *env, unread []string) error {
	for _, id := range unread {
		fmt.Fprintf(e.stderr, "could not read %s: no worker answered its state query (what it waits for is unknown)\n", id)
	}
	if len(unread) > 0 {
		return &unreachableError{msg: fmt.Sprintf("%d running executions could not be read: is a worker running?", len(unread))}
	}
	return nil
}

// inboxViaAPI reads a list of waiting steps from the API (GET
// /v1/inbox, /v1/approvals) with the executions it could not read.
func inboxViaAPI(r *remote, path string) ([]*interp.WaitingStep, []string, error) {
	a, err := r.client()
	if err != nil {
		return nil, nil, err
	}
	var rows []*interp.WaitingStep
	h, err := a.doHeader("GET", path, nil, &rows)
	if err != nil {
		return nil, nil, err
	}
	var unread []string
	if v := h.Get(serve.UnreadHeader); v != "" {
		unread = strings.Split(v, ",")
	}
	return rows, unread, nil
}
