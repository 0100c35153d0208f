package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/engine/serve"
)

// actArgs is what every command acting on a human step takes: approve,
// reject, done, answer.
type actArgs struct {
	ID      string   `arg:"" name:"id" predictor:"execution" help:"The execution ID."`
	Step    string   `placeholder:"NAME" help:"The waiting step (needed when several wait)."`
	Request string   `placeholder:"ID" help:"The request you were shown (runbook inbox, the notification): your act counts only for it. Default: the request waiting now, printed."`
	Group   []string `placeholder:"GROUP" sep:"none" help:"A group the caller belongs to (for group: entries). Repeatable; taken on trust like --as."`
	caller  `embed:""`
	conn    `embed:""`
	remote  `embed:""`
	Output  string `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// fill completes a decision from the request shown (nil when --request
// was given and fill said it needs none).
type fill func(d *engine.Decision, shown *engine.Approval) error

// act sends d as the update kind, bound to the request the caller names
// or, without --request, to the one waiting now (printed). f, when not
// nil, completes d from what the step shows (its checklist).
func (c *actArgs) act(e *env, kind string, d engine.Decision, f fill) error {
	d.Step, d.Request = c.Step, c.Request
	if c.apiMode() {
		return c.actViaAPI(e, kind, d, f)
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	d.Identity, d.Groups = c.name(), engine.NormalGroups(c.Group)
	trustNotice(e.stderr, d.Identity)
	if d.Request == "" || f != nil {
		bound := d
		shown, err := interp.BindFor(ctx, s.client, c.ID, kind, &bound)
		if errors.Is(err, interp.ErrUnanswered) {
			// Sent unbound, the decision would wait for a worker, then be
			// refused: send nothing.
			return &unreachableError{msg: fmt.Sprintf("no worker answered the query for %s; retry, or pass --request", c.ID)}
		}
		if d.Request == "" && shown != nil {
			d.Step, d.Request = bound.Step, bound.Request
			fmt.Fprintf(e.stderr, "acting on request %s: step %s of %s, params %s\n", d.Request, d.Step, shown.Runbook, engine.Pairs(shown.Params))
		}
		if f != nil {
			if err := f(&d, shown); err != nil {
				return err
			}
		}
	}
	a, err := interp.Decide(ctx, s.client, c.ID, kind, d)
	if err != nil {
		return decideError(c.ID, err)
	}
	return printDecision(e, c.Output, c.ID, kind, a)
}

// actViaAPI acts as the token's identity: POST
// /v1/executions/{id}/KIND. Without --request it binds to the request
// waiting now, read from the execution (GET /v1/executions/{id}): the
// inbox lists only the steps the caller may act on, and a caller who may
// not must hear the server's reason.
func (c *actArgs) actViaAPI(e *env, kind string, d engine.Decision, f fill) error {
	if err := noIdentityFlags(c.As, c.Group); err != nil {
		return err
	}
	a, err := c.client()
	if err != nil {
		return err
	}
	path := "/v1/executions/" + escape(c.ID)
	if d.Request == "" || f != nil {
		var x serve.Execution
		if err := a.do("GET", path, nil, &x); err != nil {
			return err
		}
		w, err := waitingStep(x.Outcome, kind, d.Step)
		if err != nil {
			return fmt.Errorf("refused: %s: %v", c.ID, err)
		}
		if d.Request == "" {
			d.Step, d.Request = w.Name, w.Approval.Request
			fmt.Fprintf(e.stderr, "acting on request %s: step %s of %s, params %s\n", d.Request, d.Step, x.Definition, engine.Pairs(w.Approval.Params))
		}
		if f != nil {
			if err := f(&d, w.Approval); err != nil {
				return err
			}
		}
	}
	ap, err := postAct(a, c.ID, kind, d)
	if err != nil {
		return err
	}
	return printDecision(e, c.Output, c.ID, kind, ap)
}

// postAct sends d to POST /v1/executions/{id}/KIND as the token's
// identity.
func postAct(a *api, id, kind string, d engine.Decision) (*engine.Approval, error) {
	req := serve.DecideRequest{Step: d.Step, Comment: d.Comment, Request: d.Request, Checked: d.Checked, Answer: d.Answer}
	var ap engine.Approval
	err := a.do("POST", "/v1/executions/"+escape(id)+"/"+kind, req, &ap)
	return &ap, err
}

// waitingStep is the step of out waiting for the update kind (named
// step, when given), as interp.BindFor finds it; none is an error here.
func waitingStep(out *engine.Outcome, kind, step string) (*engine.StepRecord, error) {
	if out == nil {
		out = &engine.Outcome{}
	}
	s, err := interp.WaitingIn(out, kind, step)
	if err != nil {
		return nil, fmt.Errorf("%v with --step", err)
	}
	if s == nil {
		_, what := interp.StepKindOf(kind)
		if step != "" {
			return nil, fmt.Errorf("step %s is not waiting %s", step, what)
		}
		return nil, fmt.Errorf("no step is waiting %s", what)
	}
	return s, nil
}

// printDecision prints the request an act left, in format.
func printDecision(e *env, format, id, kind string, a *engine.Approval) error {
	if format == "json" {
		return writeJSON(e.stdout, a)
	}
	last := a.Decisions[len(a.Decisions)-1]
	switch kind {
	case engine.UpdateDone:
		fmt.Fprintf(e.stdout, "%s: %s marked step %s done\n", id, last.Identity, last.Step)
	case engine.UpdateAnswer:
		fmt.Fprintf(e.stdout, "%s: %s answered step %s: %s\n", id, last.Identity, last.Step, engine.Pairs(last.Answer))
	default:
		fmt.Fprintf(e.stdout, "%s: %s %sd step %s (%s)\n", id, last.Identity, kind, last.Step, tally(a))
	}
	return nil
}
