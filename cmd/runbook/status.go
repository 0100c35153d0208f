package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// statusCmd prints an execution's state.
type statusCmd struct {
	ID     string `arg:"" name:"id" predictor:"execution" help:"The execution ID."`
	conn   `embed:""`
	remote `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run prints the execution's status and steps: from its result when it
// has ended, else from its state query.
func (c *statusCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
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
	return printStatus(e, c.Output, c.ID, interp.StatusName(info.Status), info.StartTime.AsTime(), out.Shown())
}

// printStatus prints an execution's status and steps, in format.
func printStatus(e *env, format, id, status string, start time.Time, out *engine.Outcome) error {
	if format == "json" {
		return writeJSON(e.stdout, map[string]any{"id": id, "status": status, "start": start, "outcome": out})
	}
	sty := newStyle(e.stdout, e.color)
	fmt.Fprintf(e.stdout, "%s  %s  started %s\n", id, sty.word(status), start.Local().Format(time.DateTime))
	if out == nil {
		fmt.Fprintln(e.stdout, "(no worker answered: steps unknown)")
		return nil
	}
	for _, st := range out.Steps {
		switch {
		case st.Status == engine.StatusWaiting && st.Approval != nil:
			a := st.Approval
			fmt.Fprintf(e.stdout, "%s %s waits for approval since %s: %s\n  %s; approvers %s; %s left\n", sty.mark(engine.StatusWaiting), st.Name, st.Start.Local().Format(time.TimeOnly),
				firstLine(a.Message), tally(a), strings.Join(a.Approvers, ", "), time.Until(a.Deadline).Round(time.Second))
		case st.Status == engine.StatusRunning:
			fmt.Fprintf(e.stdout, "%s %s (%s) running since %s\n", sty.mark(engine.StatusRunning), st.Name, kindName(st), st.Start.Local().Format(time.TimeOnly))
		default:
			fmt.Fprintln(e.stdout, stepLine(sty, st))
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
		fmt.Fprintln(e.stdout, summaryLine(sty, out))
		printFinding(e.stdout, out)
	}
	return nil
}
