package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// EvalOutputs evaluates outputs in order, each on env, and coerces each
// value to its declared type (see Coerce).
//
//workflowcheck:ignore
func EvalOutputs(outs []*PlanOutput, env map[string]any, now func() time.Time) (map[string]any, error) {
	return EvalStepOutputs("", outs, env, now)
}

// EvalStepOutputs is EvalOutputs for step's outputs, which may read
// those listed before them as steps.STEP.NAME (DESIGN: a step's own
// outputs may read its own outputs).
//
//workflowcheck:ignore
func EvalStepOutputs(step string, outs []*PlanOutput, env map[string]any, now func() time.Time) (map[string]any, error) {
	res := make(map[string]any, len(outs))
	if steps, ok := env["steps"].(map[string]any); ok && step != "" {
		env = WithKey(env, "steps", WithKey(steps, step, res))
	}
	for _, o := range outs {
		v, err := Eval(o.Expr, env, now)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		res[o.Name] = Coerce(v, o.Type)
	}
	return res, nil
}

// Coerce applies the decode-by-declared-type rule to v, data decoded from
// JSON (the history, params from a file): JSON has one number type, so a
// whole float64 (or json.Number) where s says int becomes an int, through
// lists, maps and objects; an int64 (a literal's Value.Data) is an int
// whatever s says. Everything else is left as it is. Containers that
// change are copied, never modified in place.
//
//workflowcheck:ignore
func Coerce(v any, s *Shape) any {
	out, _ := coerce(v, s)
	return out
}

func coerce(v any, s *Shape) (any, bool) {
	if v == nil {
		return nil, false
	}
	if s == nil {
		s = Any
	}
	switch x := v.(type) {
	case float64:
		if s.Kind == IntShape && x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int(x), true
		}
	case int64:
		return int(x), true
	case json.Number:
		if i, err := x.Int64(); err == nil && s.Kind != FloatShape {
			return int(i), true
		}
		f, _ := x.Float64()
		return f, true
	case []any:
		if s.Kind == ListShape {
			return mapList(x, func(e any) (any, bool) { return coerce(e, s.Elem) })
		}
	case map[string]any:
		if s.Kind == MapShape || s.Kind == ObjectShape {
			return mapMap(x, func(k string, e any) (any, bool) {
				if s.Kind == MapShape {
					return coerce(e, s.Elem)
				}
				var es *Shape
				if f := s.Field(k); f != nil {
					es = f.Shape
				}
				return coerce(e, es)
			})
		}
	}
	return v, false
}

// Resolve evaluates a definition Value: a string that is exactly one
// `${{ e }}` takes e's value (and type); other templates join their parts
// into a string (strings as they are, nil as "", other values as JSON);
// lists and maps resolve element by element; literals are their data, with
// ints as int.
//
//workflowcheck:ignore
func Resolve(v *Value, env map[string]any, now func() time.Time) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.Kind {
	case Bool:
		return v.Bool, nil
	case Int:
		return int(v.Int), nil
	case Float:
		return v.Float, nil
	case String:
		if v.Tmpl == nil {
			return v.Str, nil
		}
		return resolveTemplate(v.Tmpl, env, now)
	case List:
		out := make([]any, len(v.List))
		for i, x := range v.List {
			r, err := Resolve(x, env, now)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case Map:
		out := make(map[string]any, len(v.Map))
		for _, e := range v.Map {
			r, err := Resolve(e.Value, env, now)
			if err != nil {
				return nil, err
			}
			out[e.Key] = r
		}
		return out, nil
	}
	return nil, nil
}

func resolveTemplate(t *Template, env map[string]any, now func() time.Time) (any, error) {
	if t.Whole && len(t.Parts) == 1 && t.Parts[0].Expr != nil {
		return Eval(t.Parts[0].Expr, env, now)
	}
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString(p.Lit)
			continue
		}
		v, err := Eval(p.Expr, env, now)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil:
		case string:
			b.WriteString(x)
		default:
			j, err := json.Marshal(x)
			if err != nil {
				return nil, &EvalError{Src: p.Expr.Src, Pos: p.Expr.Pos, Err: err}
			}
			b.Write(j)
		}
	}
	return b.String(), nil
}

// plainData makes an expression's value plain data: times and durations
// become strings, other Go values their ToData form.
func plainData(v any) any {
	out, _ := plain(v)
	return out
}

func plain(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, int, float64, string:
		return v, false
	case time.Time:
		return formatDataTime(x), true
	case time.Duration:
		return x.String(), true
	case []any:
		return mapList(x, plain)
	case map[string]any:
		return mapMap(x, func(_ string, e any) (any, bool) { return plain(e) })
	}
	return ToData(v), true
}

// mapList applies f to the elements of l and returns l, or a copy holding
// what f changed (and true).
func mapList(l []any, f func(any) (any, bool)) (any, bool) {
	var out []any
	for i, e := range l {
		if c, ok := f(e); ok {
			if out == nil {
				out = slices.Clone(l)
			}
			out[i] = c
		}
	}
	if out == nil {
		return l, false
	}
	return out, true
}

// mapMap is mapList for maps.
func mapMap(m map[string]any, f func(string, any) (any, bool)) (any, bool) {
	var out map[string]any
	for k, e := range m {
		if c, ok := f(k, e); ok {
			if out == nil {
				out = maps.Clone(m)
			}
			out[k] = c
		}
	}
	if out == nil {
		return m, false
	}
	return out, true
}
