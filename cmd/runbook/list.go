package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/runbook-dev/runbook/engine/interp"
	"go.temporal.io/api/workflowservice/v1"
)

// listCmd lists executions.
type listCmd struct {
	Name   string `predictor:"name" help:"Only executions of this definition."`
	Status string `enum:",running,completed,failed,canceled,terminated,timedout" default:"" help:"Only executions in this status: ${enum}."`
	Limit  int    `default:"50" help:"At most this many."`
	conn   `embed:""`
	remote `embed:""`
	Output string `short:"o" enum:"text,json,jsonl" default:"text" help:"Output format: ${enum} (jsonl: one execution per line)."`
}

// Run lists the newest executions first.
func (c *listCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
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
	rows := []listRow{}
	for _, x := range resp.Executions {
		r := listRow{ID: x.Execution.WorkflowId, Status: interp.StatusName(x.Status), Start: x.StartTime.AsTime()}
		if x.CloseTime != nil {
			r.Seconds = x.CloseTime.AsTime().Sub(r.Start).Seconds()
		}
		r.Name = interp.DefinitionOf(x.SearchAttributes)
		rows = append(rows, r)
	}
	return printList(e, c.Output, rows)
}

// listRow is one execution as list prints it.
type listRow struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Status  string    `json:"status"`
	Start   time.Time `json:"start"`
	Seconds float64   `json:"seconds,omitempty"`
}

// printList prints executions in format.
func printList(e *env, format string, rows []listRow) error {
	switch format {
	case "json":
		return writeJSON(e.stdout, rows)
	case "jsonl":
		for _, r := range rows {
			if err := writeJSONL(e.stdout, r); err != nil {
				return err
			}
		}
		return nil
	}
	st := newStyle(e.stdout, e.color)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDEFINITION\tSTATUS\tSTARTED\tDURATION")
	for _, r := range rows {
		d := "-"
		if r.Seconds > 0 {
			d = (time.Duration(r.Seconds * float64(time.Second))).Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, st.word(r.Status), r.Start.Local().Format(time.DateTime), d)
	}
	return tw.Flush()
}
