package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// watchCmd re-attaches to an execution.
type watchCmd struct {
	ID     string `arg:"" name:"id" help:"The execution ID."`
	conn   `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run follows the execution until it ends, printing its steps so far and
// then each as it ends; Ctrl-C detaches.
func (c *watchCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	out, err := follow(ctx, s.client, c.ID, newPrinter(e, c.Output, time.Now()))
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "\ndetached; runbook watch %s re-attaches\n", c.ID)
		return nil
	}
	return finished(e, c.Output, c.ID, out, err)
}

// statusCmd prints an execution's state.
type statusCmd struct {
	ID     string `arg:"" name:"id" help:"The execution ID."`
	conn   `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run prints the execution's status and steps: from its result when it
// has ended, else from its state query.
func (c *statusCmd) Run(e *env) error {
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	desc, err := s.client.DescribeWorkflowExecution(ctx, c.ID, "")
	if err != nil {
		return unreachable(err)
	}
	info := desc.WorkflowExecutionInfo
	var out *engine.Outcome
	if info.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		out = interp.State(ctx, s.client, c.ID)
	} else {
		var o engine.Outcome
		if gerr := s.client.GetWorkflow(ctx, c.ID, "").Get(ctx, &o); gerr == nil {
			out = &o
		} else {
			out = interp.OutcomeOf(gerr)
		}
	}
	out = out.Shown()
	if c.Output == "json" {
		return writeJSON(e.stdout, map[string]any{"id": c.ID, "status": interp.StatusName(info.Status), "start": info.StartTime.AsTime(), "outcome": out})
	}
	fmt.Fprintf(e.stdout, "%s  %s  started %s\n", c.ID, interp.StatusName(info.Status), info.StartTime.AsTime().Local().Format(time.DateTime))
	if out == nil {
		fmt.Fprintln(e.stdout, "(no worker answered: steps unknown)")
		return nil
	}
	for _, st := range out.Steps {
		switch {
		case st.Status == engine.StatusWaiting && st.Approval != nil:
			a := st.Approval
			fmt.Fprintf(e.stdout, "⏸ %s waits for approval since %s: %s\n  %s; approvers %s; %s left\n", st.Name, st.Start.Local().Format(time.TimeOnly),
				firstLine(a.Message), tally(a), strings.Join(a.Approvers, ", "), time.Until(a.Deadline).Round(time.Second))
		case st.Status == engine.StatusRunning:
			fmt.Fprintf(e.stdout, "▶ %s (%s) running since %s\n", st.Name, kindName(st), st.Start.Local().Format(time.TimeOnly))
		default:
			fmt.Fprintln(e.stdout, stepLine(st))
		}
		if a := st.Approval; a != nil {
			for _, d := range a.Decisions {
				line := fmt.Sprintf("  %s %sd at %s", d.Identity, d.Decision, d.Time.Local().Format(time.DateTime))
				if d.Comment != "" {
					line += ": " + d.Comment
				}
				fmt.Fprintln(e.stdout, line)
			}
		}
	}
	if out.Status != engine.StatusRunning {
		fmt.Fprintln(e.stdout, summaryLine(out))
		printFinding(e.stdout, out)
	}
	return nil
}

// listCmd lists executions.
type listCmd struct {
	Name   string `help:"Only executions of this definition."`
	Status string `enum:",running,completed,failed,canceled,terminated,timedout" default:"" help:"Only executions in this status: ${enum}."`
	Limit  int    `default:"50" help:"At most this many."`
	conn   `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run lists the newest executions first.
func (c *listCmd) Run(e *env) error {
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	q, err := interp.ListQuery(c.Name, c.Status)
	if err != nil {
		return usagef("%v", err)
	}
	resp, err := s.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, PageSize: int32(c.Limit)})
	if err != nil {
		return unreachable(err)
	}
	type row struct {
		ID      string    `json:"id"`
		Name    string    `json:"name"`
		Status  string    `json:"status"`
		Start   time.Time `json:"start"`
		Seconds float64   `json:"seconds,omitempty"`
	}
	rows := []row{}
	for _, x := range resp.Executions {
		r := row{ID: x.Execution.WorkflowId, Status: interp.StatusName(x.Status), Start: x.StartTime.AsTime()}
		if x.CloseTime != nil {
			r.Seconds = x.CloseTime.AsTime().Sub(r.Start).Seconds()
		}
		r.Name = interp.DefinitionOf(x.SearchAttributes)
		rows = append(rows, r)
	}
	if c.Output == "json" {
		return writeJSON(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDEFINITION\tSTATUS\tSTARTED\tDURATION")
	for _, r := range rows {
		d := "-"
		if r.Seconds > 0 {
			d = (time.Duration(r.Seconds * float64(time.Second))).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Status, r.Start.Local().Format(time.DateTime), d)
	}
	return tw.Flush()
}

// cancelCmd cancels an execution.
type cancelCmd struct {
	ID   string `arg:"" name:"id" help:"The execution ID."`
	conn `embed:""`
}

// Run requests cancellation; the execution runs its finally steps and
// ends cancelled.
func (c *cancelCmd) Run(e *env) error {
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.client.CancelWorkflow(ctx, c.ID, ""); err != nil {
		return unreachable(err)
	}
	fmt.Fprintf(e.stderr, "cancel requested for %s; runbook watch %s follows it to the end\n", c.ID, c.ID)
	return nil
}
