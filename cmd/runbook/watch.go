package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// watchCmd re-attaches to an execution.
type watchCmd struct {
	ID        string `arg:"" name:"id" help:"The execution ID."`
	conn      `embed:""`
	remote    `embed:""`
	Output    string        `short:"o" enum:"text,json,jsonl" default:"text" help:"Output format: ${enum} (jsonl: one line per step start and end, then the outcome)."`
	Reconnect time.Duration `default:"2m" help:"How long to keep trying when Temporal stops answering (the execution goes on regardless)."`
}

// Run follows the execution until it ends, printing its steps so far and
// then each as it ends; Ctrl-C detaches.
func (c *watchCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var out *engine.Outcome
	var err error
	if c.apiMode() {
		var a *api
		if a, err = c.client(); err != nil {
			return err
		}
		out, err = a.follow(ctx, c.ID, newPrinter(e, c.Output, time.Now()))
	} else {
		s, cerr := c.connect(ctx, false)
		if cerr != nil {
			return cerr
		}
		defer s.close()
		out, err = follow(ctx, s.client, c.ID, newPrinter(e, c.Output, time.Now()), c.Reconnect)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "\ndetached; runbook watch %s re-attaches\n", c.ID)
		return nil
	}
	return finished(e, c.Output, c.ID, out, err)
}
