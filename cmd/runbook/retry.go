package main

import (
	"context"
	"fmt"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// retryCmd starts a new execution of a failed one's pinned plan.
type retryCmd struct {
	ID     string `arg:"" name:"id" predictor:"execution" help:"The failed (or cancelled) execution."`
	From   string `placeholder:"STEP" help:"The top-level step to run again from (default: the one that failed); the steps recorded before it are reused, approvals excepted."`
	caller `embed:""`
	conn   `embed:""`
	remote `embed:""`
}

// Run starts the retry and prints its ID.
func (c *retryCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return err
	}
	// Its first event only, opened with the codec (a sealed input too).
	in, err := interp.StartInput(ctx, s.client, codec, c.ID)
	if err != nil {
		return unreachable(err)
	}
	who := c.requester(e)
	if err := interp.MayStart(in.Plan, who, nil); err != nil {
		return fmt.Errorf("refused: %w", err)
	}
	var out engine.Outcome
	if gerr := s.client.GetWorkflow(ctx, c.ID, "").Get(ctx, &out); gerr == nil {
		return fmt.Errorf("refused: %s succeeded; start it again with runbook start", c.ID)
	} else if o := interp.OutcomeOf(gerr); o != nil {
		out = *o
	} else {
		return unreachable(gerr)
	}
	retry, err := interp.RetryInput(steps.All(), in, &out, c.ID, c.From, who)
	if err != nil {
		return usagef("%v", err)
	}
	id, err := startInput(ctx, s.client, retry)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "retrying %s from %s, reusing %d steps\n", c.ID, fromName(c.From, &out), len(retry.Reuse))
	fmt.Fprintln(e.stdout, id)
	return nil
}

func fromName(from string, out *engine.Outcome) string {
	if from != "" {
		return from
	}
	return out.Failed
}
