package engine

import (
	"container/list"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// MaxExprMemory is the memory budget of one evaluation, in expr's units
// (roughly: elements of the lists and maps it builds). Like MaxExprNodes it
// is deterministic: the same expression on the same data always passes or
// always fails.
const MaxExprMemory = 1_000_000

// MaxExprResult bounds the size of an expression's result: its strings'
// bytes plus one per number, bool, list and map element. Deterministic
// too, and below Temporal's payload limit (2 MiB).
const MaxExprResult = 1 << 20

// evalCacheSize bounds the number of compiled programs kept.
const evalCacheSize = 4096

// EvalError is a run-time expression failure: which expression (Src, Pos)
// and why. Its message is "SRC: why".
type EvalError struct {
	Src string
	Pos Pos
	Err error
}

func (e *EvalError) Error() string { return strings.TrimSpace(e.Src) + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *EvalError) Unwrap() error { return e.Err }

// Eval evaluates e on plain data. env holds the names the expression may
// read (params, steps, result, execution, alarm, item, index); reading any
// other name is an error. now() returns now(), the caller's clock (the
// workflow's deterministic clock in the workflow). The value is plain data:
// ints are int, times RFC 3339 strings, durations Go duration strings.
//
//workflowcheck:ignore
func Eval(e *Expr, env map[string]any, now func() time.Time) (any, error) {
	if e == nil {
		return nil, nil
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		if k != "now" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	c, err := compiled(e.Src, keys)
	if err != nil {
		return nil, evalError(e, err)
	}
	sv := reflect.New(c.env).Elem()
	for i, k := range keys {
		if v := env[k]; v != nil {
			sv.Field(i).Set(reflect.ValueOf(v))
		}
	}
	if now == nil {
		now = func() time.Time { panic("now() is not available here") }
	}
	sv.Field(len(keys)).Set(reflect.ValueOf(now))
	m := vm.VM{MemoryBudget: MaxExprMemory}
	v, err := m.Run(c.prog, sv.Interface())
	if err != nil {
		return nil, evalError(e, err)
	}
	v = plainData(v)
	if resultSize(v, MaxExprResult) > MaxExprResult {
		return nil, evalError(e, fmt.Errorf("the result is larger than %d bytes", MaxExprResult))
	}
	return v, nil
}

// resultSize is v's size as MaxExprResult counts it, counted until it
// passes limit.
//
//workflowcheck:ignore
func resultSize(v any, limit int) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []any:
		n := len(x)
		for _, e := range x {
			if n += resultSize(e, limit-n); n > limit {
				break
			}
		}
		return n
	case map[string]any:
		n := len(x)
		for k, e := range x {
			if n += len(k) + resultSize(e, limit-n); n > limit {
				break
			}
		}
		return n
	}
	return 1
}

func evalError(e *Expr, err error) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		err = errors.New(fe.Message)
	}
	return &EvalError{Src: e.Src, Pos: e.Pos, Err: err}
}

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

// program is a compiled expression and the struct type of its environment:
// one field of type any per name, in sorted order, then now.
type program struct {
	key  string
	prog *vm.Program
	env  reflect.Type
}

var evalCache = struct {
	sync.Mutex
	items map[string]*list.Element
	order *list.List // most recently used first
}{items: map[string]*list.Element{}, order: list.New()}

var (
	evalAnyType = reflect.TypeFor[any]()
	evalNowType = reflect.TypeFor[func() time.Time]()
)

// compiled returns the program for src over the names keys (sorted),
// compiling it on first use. The environment is a struct whose fields are
// of type any, so the program is generic over the data it will see (a
// map's nil value would be typed nil, and a typed value would specialize
// the program), while unknown names are compile errors.
func compiled(src string, keys []string) (*program, error) {
	ck := src + "\x00" + strings.Join(keys, ",")
	evalCache.Lock()
	if el, ok := evalCache.items[ck]; ok {
		evalCache.order.MoveToFront(el)
		evalCache.Unlock()
		return el.Value.(*program), nil
	}
	evalCache.Unlock()
	fields := make([]reflect.StructField, 0, len(keys)+1)
	for i, k := range keys {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: evalAnyType, Tag: reflect.StructTag(`expr:"` + k + `"`)})
	}
	fields = append(fields, reflect.StructField{Name: "Now", Type: evalNowType, Tag: `expr:"now"`})
	st := reflect.StructOf(fields)
	prog, err := expr.Compile(src,
		expr.Env(reflect.Zero(st).Interface()),
		expr.MaxNodes(MaxExprNodes),
		expr.DisableBuiltin("now"),
		expr.Timezone("UTC"),
	)
	if err != nil {
		return nil, err
	}
	p := &program{key: ck, prog: prog, env: st}
	evalCache.Lock()
	defer evalCache.Unlock()
	if el, ok := evalCache.items[ck]; ok {
		return el.Value.(*program), nil
	}
	evalCache.items[ck] = evalCache.order.PushFront(p)
	if evalCache.order.Len() > evalCacheSize {
		last := evalCache.order.Back()
		evalCache.order.Remove(last)
		delete(evalCache.items, last.Value.(*program).key)
	}
	return p, nil
}

// WithKey is a copy of env with k set to v: an expression environment
// with one more name (result, steps.STEP).
//
//workflowcheck:ignore
func WithKey(env map[string]any, k string, v any) map[string]any {
	c := make(map[string]any, len(env)+1)
	for key, x := range env {
		c[key] = x
	}
	c[k] = v
	return c
}
