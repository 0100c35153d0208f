package engine

import (
	"container/list"
	"errors"
	"fmt"
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
