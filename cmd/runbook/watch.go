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
	ID        string   `arg:"" name:"id" predictor:"execution" help:"The execution ID."`
	Group     []string `placeholder:"GROUP" sep:"none" help:"A group you belong to, for the prompts at a terminal (group: entries). Repeatable; taken on trust like --as."`
	caller    `embed:""`
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
		pr := newPrinter(e, c.Output, time.Now())
		pr.prompt = newPrompter(ctx, c.Output, mayViaAPI(a), apiSender(a, c.ID))
		out, err = a.follow(ctx, c.ID, pr)
	} else {
		s, cerr := c.connect(ctx, false)
		if cerr != nil {
			return cerr
		}
		defer s.close()
		pr := newPrinter(e, c.Output, time.Now())
		who, groups := c.name(), engine.NormalGroups(c.Group)
		pr.prompt = newPrompter(ctx, c.Output, mayAs(who, groups), directSender(s.client, c.ID, who, groups))
		out, err = follow(ctx, s.client, c.ID, pr, c.Reconnect)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "\ndetached; runbook watch %s re-attaches\n", c.ID)
		return nil
	}
	return finished(e, c.Output, c.ID, out, err)
}
