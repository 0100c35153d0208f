package interp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// The values steps read, resolved in the workflow from recorded values:
// expressions, kind fields, texts, durations and outputs.

// outputs evaluates a step's outputs in the workflow (kinds without an
// activity: their outputs read only recorded values).
func (it *interp) outputs(s *engine.PlanStep, env map[string]any, result any) (map[string]any, error) {
	if len(s.Outputs) == 0 {
		return nil, nil
	}
	if result != nil {
		env = engine.WithKey(env, "result", result)
	}
	self := ""
	if selfRead(s) && it.version("self-outputs") == 1 {
		self = s.Name
	}
	outs, err := engine.EvalStepOutputs(self, s.Outputs, env, it.now)
	if err != nil {
		return nil, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	return outs, nil
}

func (it *interp) bool(e *engine.Expr, env map[string]any) (bool, error) {
	v, err := engine.Eval(e, env, it.now)
	if err != nil {
		return false, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	b, ok := v.(bool)
	if !ok {
		return false, &engine.StepError{Type: "ExpressionError", Message: fmt.Sprintf("%s gave %v, not a bool", e.Src, v)}
	}
	return b, nil
}

func (it *interp) resolve(v *engine.Value, env map[string]any) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, err := engine.Resolve(v, env, it.now)
	if err != nil {
		return nil, &engine.StepError{Type: "ExpressionError", Message: err.Error()}
	}
	return out, nil
}

// resolveArgs resolves a step's kind fields into a map (http, script).
func (it *interp) resolveArgs(s *engine.PlanStep, env map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(s.Args))
	for _, e := range s.Args {
		v, err := it.resolve(e.Value, env)
		if err != nil {
			return nil, err
		}
		out[e.Key] = v
	}
	return out, nil
}

// text resolves a value to a string.
func (it *interp) text(v *engine.Value, env map[string]any) (string, error) {
	out, err := it.resolve(v, env)
	if err != nil || out == nil {
		return "", err
	}
	if s, ok := out.(string); ok {
		return s, nil
	}
	return fmt.Sprint(out), nil
}

// textOr resolves the step's value, else the definition's.
func (it *interp) textOr(step, def *engine.Value, env map[string]any) (string, error) {
	if step != nil {
		return it.text(step, env)
	}
	return it.text(def, env)
}

func (it *interp) duration(v *engine.Value, env map[string]any) (time.Duration, error) {
	s, err := it.text(v, env)
	if err != nil {
		return 0, err
	}
	d, err := engine.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, &engine.StepError{Type: "InvalidDuration", Message: fmt.Sprintf("%q is not a positive duration", s)}
	}
	return d, nil
}

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }

// selfRead reports whether one of s's outputs reads another of them.
func selfRead(s *engine.PlanStep) bool {
	return slices.ContainsFunc(s.Outputs, func(o *engine.PlanOutput) bool { return strings.Contains(o.Expr.Src, "steps."+s.Name+".") })
}
