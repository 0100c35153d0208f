package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/serve"
)

// run and watch through the API: start, then follow the execution by
// polling it.

// viaAPI starts a definition of the server's catalog and follows it
// through the API to its end, as run does on Temporal.
func (c *runCmd) viaAPI(e *env) error {
	if c.DryRun {
		return usagef("--dry-run: runbook serve's API starts no dry run yet; run it without --server")
	}
	if c.Embedded {
		return usagef("--embedded runs here, --server there: pass one")
	}
	a, id, def, err := startViaAPI(&c.target, c.As, &c.remote)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%s started: %s (through %s)\n", def, id, a.base)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pr := newPrinter(e, c.Output, time.Now())
	pr.prompt = newPrompter(ctx, c.Output, mayViaAPI(a), apiSender(a, id))
	out, err := a.follow(ctx, id, pr)
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "\ndetached; runbook watch %s re-attaches\n", id)
		return nil
	}
	return finished(e, c.Output, id, out, err)
}

// startViaAPI starts t's definition, NAME[@VERSION-OR-RANGE] of the
// server's catalog: POST /v1/executions. The server checks the params;
// -p values go as strings, which it parses by their declared types.
func startViaAPI(t *target, as string, r *remote) (a *api, id, def string, err error) {
	if err := noIdentityFlags(as, nil); err != nil {
		return nil, "", "", err
	}
	if _, err := os.Stat(t.Target); err == nil {
		return nil, "", "", usagef("%s is a local file: with --server, name a definition of the server's catalog, NAME[@VERSION-OR-RANGE] (the server runs only what its catalog holds)", t.Target)
	}
	if len(t.Catalog) > 0 {
		return nil, "", "", usagef("--catalog is local: with --server, definitions come from the server's catalog")
	}
	if _, err := engine.ParseRef(t.Target); err != nil {
		return nil, "", "", usagef("%s is not NAME[@VERSION-OR-RANGE]: %v", t.Target, err)
	}
	params, err := t.rawParams()
	if err != nil {
		return nil, "", "", err
	}
	if a, err = r.client(); err != nil {
		return nil, "", "", err
	}
	var started struct{ ID, Definition string }
	if err := a.do("POST", "/v1/executions", serve.StartRequest{Definition: t.Target, Params: params}, &started); err != nil {
		return nil, "", "", err
	}
	return a, started.ID, started.Definition, nil
}

// follow polls GET /v1/executions/{id} until the execution ends, printing
// its steps as they change, as follow does with Temporal.
func (a *api) follow(ctx context.Context, id string, pr *printer) (*engine.Outcome, error) {
	pr.id = id
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		var x serve.Execution
		if err := a.do("GET", "/v1/executions/"+escape(id), nil, &x); err != nil {
			return nil, err
		}
		if x.Outcome != nil {
			pr.update(x.Outcome)
		}
		if x.Status != "running" {
			if x.Outcome == nil {
				return nil, fmt.Errorf("%s ended %s, with no outcome to show", id, x.Status)
			}
			return x.Outcome, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}
