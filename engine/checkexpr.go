package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// MaxExprNodes bounds an expression's size: a deterministic limit, never a
// wall-clock one.
const MaxExprNodes = 2000

// want is what an expression must give.
type want int

const (
	wantAny want = iota
	wantBool
	wantList
)

// scopeEnv is what an expression may read.
type scopeEnv struct {
	visible  []*Step // steps whose outputs are readable
	maybe    []*Step // steps whose outputs may be nil: they may not have run (finally)
	self     *Step   // a step whose own outputs are readable (branch)
	result   *Shape  // `result`, nil when there is none
	item     *Shape  // `item`, inside forEach
	alarm    bool    // `alarm` is surely set (trigger params)
	noParams bool    // params are not available (trigger and route params)
}

var (
	executionShape = objectOf("execution", "id", "name", "version", "startedBy", "trigger", "account", "region")
	alarmShape     = func() *Shape {
		s := objectOf("alarm", "name", "arn", "state", "previousState", "reason", "time", "account", "region")
		s.Fields = append(s.Fields, &ShapeField{Name: "metric", Shape: Object(
			&ShapeField{Name: "namespace", Shape: Str},
			&ShapeField{Name: "name", Shape: Str},
			&ShapeField{Name: "dimensions", Shape: MapOf(Str)},
		)})
		return s
	}()
)

func objectOf(name string, strFields ...string) *Shape {
	s := &Shape{Kind: ObjectShape, Name: name}
	for _, f := range strFields {
		s.Fields = append(s.Fields, &ShapeField{Name: f, Shape: Str})
	}
	return s
}

var rootNames = []string{"params", "steps", "result", "execution", "alarm", "item", "index"}

// roots builds the shapes of the names an expression may read.
func (dc *defCheck) roots(en *scopeEnv) map[string]*Shape {
	steps := &Shape{Kind: ObjectShape, Name: "steps"}
	add := func(s *Step, _ bool) {
		if s.Name.Name == "" || steps.Field(s.Name.Name) != nil {
			return
		}
		// A step that may not have run, or was skipped, reads as nil; the
		// checker's types do not tell nil apart (expr compares anything
		// with nil), so the shape is the same either way.
		steps.Fields = append(steps.Fields, &ShapeField{Name: s.Name.Name, Shape: dc.stepShape(s, s != en.self)})
	}
	for _, s := range en.visible {
		add(s, false)
	}
	for _, s := range en.maybe {
		add(s, true)
	}
	if en.self != nil {
		add(en.self, false)
	}
	alarm := *alarmShape
	alarm.Nullable = !en.alarm
	r := map[string]*Shape{"steps": steps, "execution": executionShape, "alarm": &alarm}
	if !en.noParams {
		r["params"] = dc.params
	}
	if en.result != nil {
		r["result"] = en.result
	}
	if en.item != nil {
		r["item"], r["index"] = en.item, Integer
	}
	return r
}

// exprEnv is what an expression is checked against: the shapes of its
// roots, and the zero value of the struct type synthesized from them (a
// struct, not a map: expr treats a map's nil values as untyped).
type exprEnv struct {
	roots map[string]*Shape
	zero  any
}

// env returns the checking environment of en, made once per distinct
// environment of the definition.
func (dc *defCheck) env(en *scopeEnv) *exprEnv {
	var key strings.Builder
	for _, list := range [][]*Step{en.visible, en.maybe} {
		for _, s := range list {
			fmt.Fprintf(&key, "%p,", s)
		}
		key.WriteString("|")
	}
	if en.self != nil {
		fmt.Fprintf(&key, "%p/%d", en.self, len(en.self.Outputs))
	}
	fmt.Fprintf(&key, "|%p|%p|%v|%v", en.result, en.item, en.alarm, en.noParams)
	if x, ok := dc.envs[key.String()]; ok {
		return x
	}
	roots := dc.roots(en)
	shape := &Shape{Kind: ObjectShape}
	for _, k := range rootNames {
		if s := roots[k]; s != nil {
			shape.Fields = append(shape.Fields, &ShapeField{Name: k, Shape: s})
		}
	}
	x := &exprEnv{roots: roots, zero: reflect.Zero(shape.goTypeIn(dc.goTypes)).Interface()}
	dc.envs[key.String()] = x
	return x
}

// stepShape is the shape of steps.NAME: an object of its outputs. The
// shapes of steps already checked (done) are made once.
func (dc *defCheck) stepShape(s *Step, done bool) *Shape {
	if sh := dc.stepShapes[s]; sh != nil && done {
		return sh
	}
	if r := dc.results[s]; r != nil && len(s.Outputs) == 0 {
		return r
	}
	sh := &Shape{Kind: ObjectShape, Name: "step " + s.Name.Name}
	for _, o := range s.Outputs {
		t := o.Shape
		if t == nil {
			t = Any
		}
		if s.Kind != nil && s.Kind.Runs == RunsLoop {
			t = ListOf(t)
		}
		sh.Fields = append(sh.Fields, &ShapeField{Name: o.Name.Name, Shape: t})
	}
	if done {
		dc.stepShapes[s] = sh
	}
	return sh
}

// compile type-checks one expression and returns its shape (nil when it
// does not check).
func (dc *defCheck) compile(e *Expr, en *scopeEnv, w want) *Shape {
	if e == nil {
		return nil
	}
	env := dc.env(en)
	tree, err := parser.Parse(e.Src)
	if err != nil {
		dc.exprError(e, err)
		return nil
	}
	if !dc.members(e, tree.Node, env.roots) {
		return nil
	}
	opts := append(ExprOptions(), expr.Env(env.zero))
	if w == wantBool {
		opts = append(opts, expr.AsBool())
	}
	prog, err := expr.Compile(e.Src, opts...)
	if err != nil {
		dc.exprError(e, err)
		return nil
	}
	sh := Any
	if t := prog.Node().Type(); t != nil && t.Kind() != reflect.Interface {
		sh = ShapeOf(t)
	}
	if w == wantList && sh.Kind != ListShape && sh.Kind != AnyShape {
		dc.ds.Errorf(e.Pos, "expression gives %s, not a list", sh)
		return nil
	}
	return sh
}

// ExprOptions are the options every expression compiles with, at
// validation and at run time: a bounded size and a deterministic now().
func ExprOptions() []expr.Option {
	return []expr.Option{
		expr.MaxNodes(MaxExprNodes),
		expr.DisableBuiltin("now"),
		expr.Function("now", func(...any) (any, error) {
			return nil, errors.New("now() is only available in executions")
		}, new(func() time.Time)),
	}
}

func (dc *defCheck) exprError(e *Expr, err error) {
	var fe *file.Error
	msg := err.Error()
	pos := e.Pos
	if errors.As(err, &fe) {
		msg = fe.Message
		pos = e.AtOffset(runeOffset(e.Src, fe.From))
	}
	dc.ds.Errorf(pos, "%s", friendly(msg)).Hint = exprHint(msg)
}

func runeOffset(s string, runes int) int {
	off := 0
	for i := 0; i < runes && off < len(s); i++ {
		_, n := utf8.DecodeRuneInString(s[off:])
		off += n
	}
	return off
}

// friendly rewrites expr's messages that name synthesized Go types.
func friendly(msg string) string {
	msg = strings.ReplaceAll(msg, "interface {}", "any")
	if i := strings.Index(msg, "struct {"); i >= 0 {
		return msg[:i] + "an object" + msg[strings.LastIndex(msg, "}")+1:]
	}
	return msg
}

func exprHint(msg string) string {
	switch {
	case strings.Contains(msg, "expected bool"):
		return "this field needs a bool expression, such as `steps.check.status == \"ok\"`"
	case strings.HasPrefix(msg, "unknown name"):
		return "expressions read params, steps, result, execution, alarm, item and index"
	}
	return ""
}

// members checks every member access on a known root (params.X,
// steps.X.Y, result.A.B) and records what is used. It reports unknown
// names with "did you mean" and returns false when it reported one.
func (dc *defCheck) members(e *Expr, root ast.Node, roots map[string]*Shape) bool {
	ok := true
	var shapeOf func(n ast.Node) (*Shape, string)
	shapeOf = func(n ast.Node) (*Shape, string) {
		switch x := n.(type) {
		case *ast.IdentifierNode:
			return roots[x.Value], x.Value
		case *ast.ChainNode:
			return shapeOf(x.Node)
		case *ast.MemberNode:
			base, path := shapeOf(x.Node)
			if base == nil {
				return nil, ""
			}
			switch p := x.Property.(type) {
			case *ast.StringNode:
				return dc.member(e, base, path, p, &ok)
			case *ast.IntegerNode:
				if base.Kind == ListShape {
					return base.Elem, path + "[]"
				}
			}
			if base.Kind == ListShape || base.Kind == MapShape {
				return base.Elem, path + "[]"
			}
			return Any, ""
		}
		return nil, ""
	}
	ast.Walk(&root, visitor(func(n ast.Node) {
		if m, isMember := n.(*ast.MemberNode); isMember {
			shapeOf(m)
		}
	}))
	return ok
}

func (dc *defCheck) member(e *Expr, base *Shape, path string, p *ast.StringNode, ok *bool) (*Shape, string) {
	name := path + "." + p.Value
	dc.used[name] = true
	switch base.Kind {
	case MapShape:
		return base.Elem, name
	case ObjectShape:
		if f := base.Field(p.Value); f != nil {
			return f.Shape, name
		}
	default:
		return Any, name
	}
	*ok = false
	pos := e.AtOffset(runeOffset(e.Src, p.Location().From))
	what := map[string]string{"params": "no param", "steps": "no step"}[path]
	if what == "" {
		what = "no field"
		if strings.HasPrefix(path, "steps.") && strings.Count(path, ".") == 1 {
			what = "no output"
		}
	}
	d := dc.ds.Errorf(pos, "%s has %s %q", path, what, p.Value)
	d.Hint = DidYouMean(p.Value, base.FieldNames())
	if s := dc.steps[p.Value]; s != nil && path == "steps" {
		d.Summary = "step " + p.Value + " may not have run here"
		d.Hint = "an expression reads steps.X only where X surely ran (or was skipped) before"
	}
	return nil, ""
}
