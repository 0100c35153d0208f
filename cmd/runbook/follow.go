package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// follow waits for execution id to end, printing each step as it starts
// and ends (from the workflow's state query), and returns the outcome.
// When Temporal stops answering (a frontend died) it says so, keeps
// trying for up to reconnect (another frontend of --address may answer
// at once), says when it answers again, and gives up with the command
// that follows the execution again.
func follow(ctx context.Context, cl client.Client, id string, pr *printer, reconnect time.Duration) (*engine.Outcome, error) {
	pr.id = id
	type result struct {
		out *engine.Outcome
		err error
	}
	done := make(chan result, 1)
	wait := func() {
		var out engine.Outcome
		err := cl.GetWorkflow(ctx, id, "").Get(ctx, &out)
		if err == nil {
			done <- result{&out, nil}
			return
		}
		done <- result{interp.OutcomeOf(err), err}
	}
	go wait()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var lost, checked time.Time // lost: zero while connected
	gone := func(err error) error {
		if lost.IsZero() {
			lost = time.Now()
			fmt.Fprintf(pr.w, "runbook: lost the connection to Temporal (%v); retrying for %s. The execution goes on: Ctrl-C detaches, `runbook watch %s` follows it again.\n", connErr(err), reconnect, id)
		}
		if time.Since(lost) > reconnect {
			return &unreachableError{msg: fmt.Sprintf("no answer from Temporal for %s (%v); the execution goes on: runbook watch %s", reconnect, connErr(err), id)}
		}
		return nil
	}
	for {
		select {
		case r := <-done:
			if r.out == nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if !connectionLost(r.err) {
					return nil, unreachable(r.err)
				}
				if err := gone(r.err); err != nil {
					return nil, err
				}
				time.AfterFunc(time.Second, wait)
				continue
			}
			r.out = r.out.Shown()
			pr.update(r.out)
			return r.out, nil
		case <-tick.C:
			if out := interp.State(ctx, cl, id); out != nil {
				lost = pr.restored(lost)
				pr.update(out.Shown())
				continue
			}
			// No answer to the query: no worker, or no Temporal? Ask at
			// most every 2 seconds.
			if time.Since(checked) < 2*time.Second {
				continue
			}
			checked = time.Now()
			hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := cl.CheckHealth(hctx, &client.CheckHealthRequest{})
			cancel()
			switch {
			case err == nil:
				lost = pr.restored(lost)
			case ctx.Err() == nil:
				if err := gone(err); err != nil {
					return nil, err
				}
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// restored says the connection is back when it was lost, and returns the
// zero time (connected).
func (p *printer) restored(lost time.Time) time.Time {
	if !lost.IsZero() {
		fmt.Fprintf(p.w, "runbook: connection to Temporal restored after %s\n", time.Since(lost).Round(time.Second))
	}
	return time.Time{}
}

// connectionLost reports whether err means Temporal did not answer (a
// dead frontend, a cut connection), not that it refused.
func connectionLost(err error) bool {
	var c *serviceerror.Canceled
	return notAnswered(err) || errors.As(err, &c) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// connErr is err's first line, without the SDK's wrapping.
func connErr(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}
