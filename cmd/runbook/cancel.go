package main

import (
	"context"
	"fmt"
)

// cancelCmd cancels an execution.
type cancelCmd struct {
	ID     string `arg:"" name:"id" predictor:"execution" help:"The execution ID."`
	conn   `embed:""`
	remote `embed:""`
}

// Run requests cancellation; the execution runs its finally steps and
// ends cancelled.
func (c *cancelCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
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
