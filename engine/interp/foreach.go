package interp

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// forEach runs the nested steps once per item, concurrency items at a time.
// Each item has its own frame (item, index, the nested steps' outputs).
// When more than maxErrors items fail, no further item starts; those
// running finish, and the step fails. Each output is the list of its
// per-item values, in item order (nil for a failed item).
func (it *interp) forEach(ctx workflow.Context, s *engine.PlanStep, rec *engine.StepRecord, sc *frame, env map[string]any) (map[string]any, error) {
	v, err := engine.Eval(s.Main.Tmpl.Parts[0].Expr, env, it.now)
	if err != nil {
		return nil, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	items, ok := v.([]any)
	if !ok && v != nil {
		return nil, &engine.StepError{Type: "ExpressionError", Message: fmt.Sprintf("%s gave %T, not a list", s.Main.Str, v)}
	}
	conc, maxErrors := 1, 0
	if c := s.Arg("concurrency"); c != nil {
		conc = int(c.Int)
	}
	if m := s.Arg("maxErrors"); m != nil {
		maxErrors = int(m.Int)
	}
	bctx, timedOut, stop, err := it.bound(ctx, s, env)
	if err != nil {
		return nil, err
	}
	defer stop()
	per := make([]map[string]any, len(items))
	var failed []string
	var end error
	running, next := 0, 0
	wg := workflow.NewWaitGroup(ctx)
	for next < len(items) {
		if workflow.Await(bctx, func() bool { return running < conc }) != nil || len(failed) > maxErrors || end != nil {
			break
		}
		i := next
		next++
		running++
		wg.Add(1)
		workflow.Go(bctx, func(g workflow.Context) {
			defer func() { running--; wg.Done() }()
			outs, err := it.item(g, s, sc, i, items[i])
			switch {
			case err == nil:
				per[i] = outs
			case errors.Is(err, errEnd) || temporal.IsCanceledError(err):
				end = err
			default:
				failed = append(failed, fmt.Sprintf("item %d: %s", i, asStepError(err).Message))
			}
		})
	}
	wg.Wait(ctx)
	rec.Message = fmt.Sprintf("%d items: %d succeeded, %d failed, %d not run", len(items), next-len(failed), len(failed), len(items)-next)
	switch {
	case timedOut():
		return nil, &engine.StepError{Type: "Timeout", Message: "the step timed out: " + rec.Message}
	case ctx.Err() != nil:
		return nil, temporal.NewCanceledError()
	case end != nil:
		return nil, end
	case len(failed) > maxErrors:
		return nil, &engine.StepError{Type: "ItemsFailed", Message: fmt.Sprintf("%d items failed (maxErrors %d): %s", len(failed), maxErrors, strings.Join(failed, "; "))}
	}
	if len(s.Outputs) == 0 {
		return nil, nil
	}
	outs := make(map[string]any, len(s.Outputs))
	for _, o := range s.Outputs {
		list := make([]any, len(items))
		for i, p := range per {
			if p != nil {
				list[i] = p[o.Name]
			}
		}
		outs[o.Name] = list
	}
	return outs, nil
}

// item runs one item of a forEach in its own frame and evaluates the
// step's outputs there.
func (it *interp) item(ctx workflow.Context, s *engine.PlanStep, sc *frame, i int, item any) (map[string]any, error) {
	sub := itemFrame(sc, s.Name, i, item)
	if err := it.run(ctx, s.Steps, sub); err != nil {
		return nil, err
	}
	return it.outputs(s, it.env(sub), nil)
}

// itemFrame is the frame of item i of loop: the outer steps' outputs and
// extras copied (the copies do not depend on map order), item and index.
//
//workflowcheck:ignore
func itemFrame(sc *frame, loop string, i int, item any) *frame {
	extra := maps.Clone(sc.extra)
	if extra == nil {
		extra = map[string]any{}
	}
	extra["item"], extra["index"] = item, i
	return &frame{steps: maps.Clone(sc.steps), visits: map[string]int{}, extra: extra, prefix: fmt.Sprintf("%s%s[%d].", sc.prefix, loop, i)}
}
