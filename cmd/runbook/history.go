package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/temporalproto"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/timeline"
	"github.com/runbook-dev/runbook/steps"
)

// historyCmd prints an execution's timeline, or exports its history.
type historyCmd struct {
	ID     string `arg:"" name:"id" predictor:"execution" help:"The execution ID."`
	JSON   bool   `name:"json" hidden:"" help:"Deprecated: -o temporal."`
	conn   `embed:""`
	remote `embed:""`
	Output string `short:"o" enum:"text,json,temporal" default:"text" help:"Output format: text or json (the timeline), temporal (Temporal's own history JSON, as temporal workflow show -o json writes it, for runbook replay)."`
}

// Run fetches the execution's whole history and prints the timeline
// engine.BuildTimeline tells from it, or with -o temporal the history
// itself. An unknown execution exits 1.
func (c *historyCmd) Run(e *env) error {
	if c.JSON {
		if c.Output != "text" {
			return usagef("--json is -o temporal: pass one -o")
		}
		deprecated(e, "--json", "-o temporal")
		c.Output = "temporal"
	}
	if c.apiMode() {
		return c.viaAPI(e)
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	h, err := fetchHistory(ctx, s, c.ID)
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return fmt.Errorf("no execution %s in namespace %s", c.ID, c.Namespace)
	case err != nil:
		return err
	}
	if c.Output == "temporal" {
		return writeHistory(e.stdout, h)
	}
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return err
	}
	if err := engine.DecodeHistory(ctx, h, codec); err != nil {
		return fmt.Errorf("%s: %w", c.ID, err)
	}
	t, err := timeline.Build(h, steps.All())
	if err != nil {
		return fmt.Errorf("%s: %w", c.ID, err)
	}
	return printTimeline(e, c.Output, t)
}

// printTimeline prints a timeline in format (text or json).
func printTimeline(e *env, format string, t *timeline.Timeline) error {
	if format == "json" {
		return writeJSON(e.stdout, t)
	}
	return t.TextMarked(e.stdout, newStyle(e.stdout, e.color).mark)
}

// writeHistory writes h as the Temporal CLI's `workflow show -o json`
// does: Temporal's proto JSON, indented, payloads as they are (which
// replayers and engine.ReadHistory read).
func writeHistory(w io.Writer, h *historypb.History) error {
	raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		return err
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}
