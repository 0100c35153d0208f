package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"
)

// watchCmd re-attaches to an execution.
type watchCmd struct {
	ID     string `arg:"" name:"id" help:"The execution ID."`
	conn   `embed:""`
	remote `embed:""`
	Output string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// Run follows the execution until it ends, printing its steps so far and
// then each as it ends; Ctrl-C detaches.
func (c *watchCmd) Run(e *env) error {
	if err := c.refuse("watch", "endpoint that follows an execution live (runbook status ID shows it)"); err != nil {
		return err
	}
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
