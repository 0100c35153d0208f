package engine

import (
	"fmt"
	"strings"
)

// exprs type-checks every expression of the definition, scope by scope, in
// an order where a step's dominators come first.
func (dc *defCheck) exprs() {
	dc.scopeExprs(dc.main, nil)
	dc.fin.outer, dc.fin.outerNullable = dc.d.Steps, true
	dc.scopeExprs(dc.fin, nil)
	base := &scopeEnv{}
	for _, v := range []*Value{dc.d.AssumeRole, dc.d.Region} {
		dc.templates(v, base)
	}
	if dc.d.Timeout != nil {
		dc.durationExpr(dc.d.Timeout.Expr, base)
	}
	dc.compile(dc.d.Lock, base, wantAny)
	dc.lockSecrets()
	end := &scopeEnv{visible: dc.main.before(len(dc.d.Steps))}
	for _, o := range dc.d.Outputs {
		dc.output(o, end)
	}
	for _, t := range dc.d.Triggers {
		dc.trigger(t, dc.d)
	}
}

func (dc *defCheck) output(o *Output, en *scopeEnv) {
	if !nameRE.MatchString(o.Name.Name) {
		dc.ds.Errorf(o.Name.Pos, "output name %q must match ^[A-Za-z][A-Za-z0-9_]*$", o.Name.Name)
	}
	o.Shape = dc.compile(o.Expr, en, wantAny)
}

func (dc *defCheck) scopeExprs(sc *scope, item *Shape) {
	for _, i := range sc.order {
		s := sc.steps[i]
		en := &scopeEnv{visible: sc.before(i), item: item}
		if sc.outerNullable {
			en.maybe = sc.outer
		} else {
			en.visible = append(append([]*Step{}, sc.outer...), en.visible...)
		}
		dc.step(s, en)
	}
}

// step checks one step's fields against its kind and its expressions
// against what it may read.
func (dc *defCheck) step(s *Step, en *scopeEnv) {
	dc.compile(s.If, en, wantBool)
	for _, d := range []*Duration{s.Timeout, retryInterval(s.Retry)} {
		if d != nil {
			dc.durationExpr(d.Expr, en)
		}
	}
	dc.templates(s.Region, en)
	dc.templates(s.AssumeRole, en)
	withResult := *en
	if k := s.Kind; k != nil {
		withResult.result = k.Result
		if s.operation() != nil {
			withResult.result = Any // until the operation resolves
		}
		if op := dc.operation(s); op != nil {
			withResult.result = ShapeOf(op.Output)
			dc.input(s, op, en)
		}
		if k.Scalar != nil && s.Main != nil {
			dc.field(s, k.Scalar, s.Main, en, &withResult)
		}
		for _, a := range s.Args {
			f := fieldNamed(k.Fields, a.Key)
			if s.Main != nil || f == nil {
				f = fieldNamed(k.Beside, a.Key)
			}
			if f != nil && a.Key != "input" {
				dc.field(s, f, a.Value, en, &withResult)
			}
		}
		if r := dc.results[s]; r != nil {
			withResult.result = r
		}
		if k.Runs == RunsApproval {
			dc.approvers(s)
		}
		if k.Runs == RunsAsk {
			withResult.result = dc.askFields(s)
		}
		if k.Runs == RunsLoop {
			item := Any
			if s.Main != nil && s.Main.Tmpl != nil {
				if sh := dc.exprShapes[s.Main.Tmpl.Parts[0].Expr]; sh != nil && sh.Elem != nil {
					item = sh.Elem
				}
			}
			sc := dc.newScope(s.Steps, 0, "step")
			sc.outer = en.visible
			dc.scopeExprs(sc, item)
			withResult = scopeEnv{visible: append(append([]*Step{}, en.visible...), sc.before(len(s.Steps))...), item: item}
		}
	}
	// An output may read the step's own earlier outputs.
	for i, o := range s.Outputs {
		en := withResult
		part := *s
		part.Outputs = s.Outputs[:i]
		en.self = &part
		dc.output(o, &en)
	}
	self := *en
	self.self = s
	for _, b := range s.Branch {
		dc.compile(b.When, &self, wantBool)
	}
}

func retryInterval(r *Retry) *Duration {
	if r == nil {
		return nil
	}
	return r.Interval
}

// field checks one kind field's value by its declared type.
func (dc *defCheck) field(s *Step, f *Field, v *Value, en, withResult *scopeEnv) {
	switch f.Type {
	case ExprField, BoolExprField, ListExprField:
		w := map[FieldType]want{BoolExprField: wantBool, ListExprField: wantList}[f.Type]
		use := en
		if f.Name == "until" || f.Name == "condition" {
			use = withResult
		}
		e := v.Tmpl.Parts[0].Expr
		dc.exprShapes[e] = dc.compile(e, use, w)
	case DurationField:
		dc.durationExpr(v.Tmpl, en)
	case RefField:
		dc.ref(s, v, en)
	case ObjectField:
		for _, e := range v.Map {
			if sub := fieldNamed(f.Fields, e.Key); sub != nil {
				dc.field(s, sub, e.Value, en, withResult)
			}
		}
	case OperationField:
	case ParamsField:
	default:
		if f.Name != "params" { // run's and recommend's params: compiled by ref
			dc.templates(v, en)
		}
	}
}

// templates compiles every `${{ }}` in v.
func (dc *defCheck) templates(v *Value, en *scopeEnv) {
	if v == nil {
		return
	}
	if v.Tmpl != nil {
		for _, p := range v.Tmpl.Parts {
			if p.Expr != nil {
				dc.exprShapes[p.Expr] = dc.compile(p.Expr, en, wantAny)
			}
		}
	}
	for _, x := range v.List {
		dc.templates(x, en)
	}
	for _, e := range v.Map {
		dc.templates(e.Value, en)
	}
}

func (dc *defCheck) durationExpr(t *Template, en *scopeEnv) {
	if t == nil {
		return
	}
	v := &Value{Kind: String, Tmpl: t}
	dc.templates(v, en)
	if t.Whole {
		e := t.Parts[0].Expr
		if sh := dc.exprShapes[e]; sh != nil && sh.Kind != StringShape && sh.Kind != AnyShape {
			dc.ds.Errorf(e.Pos, "a duration expression must give a string such as \"15m\", not %s", sh)
		}
	}
}

// operation resolves the step's `aws` operation, if it has one.
func (dc *defCheck) operation(s *Step) *Operation {
	v := s.operation()
	if v == nil || v.Kind != String || dc.opts.Services == nil {
		return nil
	}
	op, err := dc.opts.Services.Operation(v.Str)
	if err != nil {
		dc.ds.Errorf(v.Pos, "%v", err)
		return nil
	}
	s.op = op
	return op
}

// input checks an operation's input against the SDK's input type: field
// names, literal types, and the fields the SDK requires.
func (dc *defCheck) input(s *Step, op *Operation, en *scopeEnv) {
	in := s.Arg("input")
	dc.templates(in, en)
	shape := ShapeOf(op.Input)
	before := len(dc.ds)
	if in != nil {
		CheckData(in, shape, "input", &dc.ds, func(e *Expr) *Shape { return dc.exprShapes[e] })
	}
	if len(dc.ds) > before || op.Missing == nil {
		return
	}
	at := s.KindPos
	if in != nil {
		at = in.Pos
	}
	probe := probeInput(in, op.Input)
	for _, m := range op.Missing(probe) {
		dc.ds.Errorf(at, "%s needs input field %s", op.ID(), m).Hint = fmt.Sprintf("add `%s:` to input (%s)", m, fieldType(shape, m))
	}
}

func fieldType(s *Shape, path string) string {
	if f := s.Field(path); f != nil {
		return f.Shape.String()
	}
	return "see the SDK's " + s.Name
}

func (dc *defCheck) approvers(s *Step) {
	list, minV := s.Arg("approvers"), s.Arg("minApprovals")
	if list == nil {
		return
	}
	if len(list.List) == 0 {
		dc.ds.Errorf(list.Pos, "approvers is empty: nobody could approve").Hint = "list user:NAME or group:NAME entries"
		return
	}
	if minV == nil {
		minV = &Value{Kind: Int, Int: 1, Pos: list.Pos}
	}
	users, groups := 0, 0
	seen := map[string]bool{}
	for _, a := range list.List {
		if seen[a.Str] {
			dc.ds.Errorf(a.Pos, "approver %s is listed twice", a.Str)
		}
		seen[a.Str] = true
		if len(a.Str) > 6 && a.Str[:6] == "group:" {
			groups++
		} else {
			users++
		}
	}
	if groups == 0 && int(minV.Int) > users {
		dc.ds.Errorf(minV.Pos, "minApprovals is %d but only %d users may approve", minV.Int, users).Hint = "lower minApprovals or add approvers (a group counts its members)"
	}
}

// lockSecrets refuses a lock that reads a secret param: its key becomes
// the workflow ID, which anyone who may list executions sees.
func (dc *defCheck) lockSecrets() {
	if dc.d.Lock == nil {
		return
	}
	for _, ref := range Reads(dc.d.Lock.Src) {
		name, ok := strings.CutPrefix(ref, "params.")
		if !ok || strings.Contains(name, ".") {
			continue
		}
		for _, p := range dc.d.Params {
			if p.Name.Name == name && p.Secret {
				dc.ds.Errorf(dc.d.Lock.Pos, "lock reads the secret param %s: the lock's key is the execution's ID, which anyone who may list executions sees", name).Hint =
					"key the lock on what the execution acts on (a cluster, a table), not on a secret"
				return
			}
		}
	}
}
