package engine

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// stepFields are the fields any step may have, beside its kind key.
var stepFields = []string{"name", "description", "if", "timeout", "retry", "onFailure", "outputs", "branch", "default", "region", "assumeRole", "maxVisits"}

func (l *loader) steps(n *yaml.Node, what string) []*Step {
	n = Deref(n)
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "%s must be a list of steps, not %s", what, Describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.Errorf(n, "%s is empty: add at least one step", what)
	}
	var out []*Step
	for _, c := range n.Content {
		if s := l.step(Deref(c)); s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (l *loader) step(n *yaml.Node) *Step {
	if n.Kind != yaml.MappingNode {
		l.Errorf(n, "a step must be a mapping, not %s", Describe(n)).Hint = "for example `- name: wait` then `sleep: 30s` on the next line"
		return nil
	}
	s := &Step{Pos: l.Pos(n)}
	pairs := l.Mapping(n, "step", nil)
	// Find the kind key first: it decides which other fields may sit here.
	var kindPair *Pair
	for i, p := range pairs {
		k := l.kinds.Lookup(p.Key)
		if k == nil {
			continue
		}
		if kindPair != nil {
			l.Errorf(p.K, "a step has one kind: this one already is %s", kindPair.Key).Hint = "split it into two steps"
			continue
		}
		kindPair, s.Kind, s.KindPos = &pairs[i], k, l.Pos(p.K)
	}
	var beside []Field
	if s.Kind != nil && s.Kind.Scalar != nil && kindPair.V.Kind != yaml.MappingNode {
		beside = s.Kind.Beside
	}
	keys := map[string]bool{}
	unknown := false
	for _, p := range pairs {
		keys[p.Key] = true
		switch {
		case kindPair != nil && p.K == kindPair.K:
		case slices.Contains(stepFields, p.Key):
			l.stepField(s, p)
		case fieldNamed(beside, p.Key) != nil:
			if e := l.arg(s, fieldNamed(beside, p.Key), p); e != nil {
				s.Args = append(s.Args, e)
			}
		case l.kinds.Lookup(p.Key) != nil:
		default:
			unknown = true
			l.misplaced(s, p)
		}
	}
	if !hasKey(n, "name") {
		l.Errorf(n, "step has no name").Hint = "add `name: NAME` (letters, digits and _)"
	}
	if kindPair != nil {
		l.kindValue(s, *kindPair, keys)
		resultOutputs(s)
	} else if len(s.Branch) == 0 && !unknown {
		d := l.Errorf(n, "step %s has no kind", s.Name.Name)
		d.Hint = "add one of " + strings.Join(l.kinds.Names(), ", ") + " (or a branch)"
	}
	return s
}

// misplaced reports an unknown step field, saying where it belongs when it
// is a field of the step's kind or of another kind.
func (l *loader) misplaced(s *Step, p Pair) {
	if s.Kind != nil && fieldNamed(s.Kind.Fields, p.Key) != nil {
		l.Errorf(p.K, "%s belongs inside %s's mapping, not beside it", p.Key, s.Kind.Name)
		return
	}
	for _, k := range l.kinds {
		if fieldNamed(k.Beside, p.Key) != nil || fieldNamed(k.Fields, p.Key) != nil {
			d := l.Errorf(p.K, "%s is a field of %s, not of this step", p.Key, k.Name)
			if s.Kind == nil {
				d.Hint = "add the kind key `" + k.Name + "`"
			}
			return
		}
	}
	allowed := append(append([]string{}, stepFields...), l.kinds.Names()...)
	l.unknownKey(p.K, "step", allowed)
}

func (l *loader) stepField(s *Step, p Pair) {
	switch p.Key {
	case "name":
		s.Name = l.Ident(p.V, "name")
	case "description":
		s.Description, _ = l.Str(p.V, "description")
	case "if":
		s.If = l.Expr(p.V, "if")
	case "timeout":
		s.Timeout = l.Duration(p.V, "timeout")
	case "retry":
		s.Retry = l.retry(p.V)
	case "onFailure":
		s.OnFailure = l.onFailure(p.V)
	case "outputs":
		s.Outputs = l.outputs(p.V, "outputs")
	case "branch":
		s.Branch = l.branch(p.V)
	case "default":
		d := l.Ident(p.V, "default")
		s.Default = &d
	case "region":
		s.Region = l.Value(p.V)
	case "assumeRole":
		s.AssumeRole = l.Value(p.V)
	case "maxVisits":
		if n, ok := l.Int(p.V, "maxVisits"); ok {
			if n < 1 {
				l.Errorf(p.V, "maxVisits must be at least 1, not %d", n)
			}
			s.MaxVisits = n
		}
	}
}

func (l *loader) retry(n *yaml.Node) *Retry {
	r := &Retry{Pos: l.Pos(n), MaxAttempts: 3, Backoff: 2}
	for _, f := range l.Mapping(n, "retry", []string{"maxAttempts", "interval", "backoff"}) {
		switch f.Key {
		case "maxAttempts":
			if v, ok := l.Int(f.V, "maxAttempts"); ok {
				if v < 1 {
					l.Errorf(f.V, "maxAttempts counts every attempt, the first included: it must be at least 1, not %d", v)
				}
				r.MaxAttempts = v
			}
		case "interval":
			r.Interval = l.Duration(f.V, "interval")
		case "backoff":
			v := l.Value(f.V)
			switch {
			case v.Kind == Int && v.Int >= 1:
				r.Backoff = float64(v.Int)
			case v.Kind == Float && v.Float >= 1:
				r.Backoff = v.Float
			default:
				l.Errorf(f.V, "backoff is the factor between intervals: a number of at least 1, not %s", f.V.Value)
			}
		}
	}
	return r
}

func (l *loader) onFailure(n *yaml.Node) *OnFailure {
	s, ok := l.Str(n, "onFailure")
	if !ok {
		return nil
	}
	o := &OnFailure{Pos: l.Pos(n), Action: s}
	if t, found := strings.CutPrefix(s, "goto:"); found {
		o.Action = "goto"
		o.Goto = Ident{Name: strings.TrimSpace(t), Pos: Pos{File: l.File, Line: n.Line, Col: n.Column + len(s) - len(t)}}
		if o.Goto.Name == "" {
			l.Errorf(n, "onFailure goto names no step: write goto:STEP")
			return nil
		}
		return o
	}
	if s != "abort" && s != "continue" {
		d := l.Errorf(n, "onFailure must be abort, continue or goto:STEP, not %q", s)
		if h := DidYouMean(s, []string{"abort", "continue"}); h != "" {
			d.Hint = h
		}
		return nil
	}
	return o
}

func (l *loader) branch(n *yaml.Node) []*Branch {
	n = Deref(n)
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "branch must be a list of {when, goto}, not %s", Describe(n))
		return nil
	}
	var out []*Branch
	for _, c := range n.Content {
		b := &Branch{}
		for _, f := range l.Mapping(c, "branch entry", []string{"when", "goto"}) {
			switch f.Key {
			case "when":
				b.When = l.Expr(f.V, "when")
			case "goto":
				b.Goto = l.Ident(f.V, "goto")
			}
		}
		if Deref(c).Kind == yaml.MappingNode && (!hasKey(c, "when") || !hasKey(c, "goto")) {
			l.Errorf(c, "a branch entry needs both when and goto")
		}
		out = append(out, b)
	}
	return out
}

func fieldNamed(fs []Field, name string) *Field {
	for i := range fs {
		if fs[i].Name == name {
			return &fs[i]
		}
	}
	return nil
}

// resultOutputs gives a step of a Kind.ResultOutputs kind that declares no
// outputs one per field of its result: `NAME: result.NAME`.
func resultOutputs(s *Step) {
	if !s.Kind.ResultOutputs || s.Outputs != nil {
		return
	}
	var names []string
	for _, f := range s.Fields {
		names = append(names, f.Name.Name)
	}
	if s.Kind.Result != nil {
		for _, f := range s.Kind.Result.Fields {
			names = append(names, f.Name)
		}
	}
	for _, n := range names {
		s.Outputs = append(s.Outputs, &Output{Name: Ident{Name: n, Pos: s.KindPos}, Expr: &Expr{Src: "result." + n, Pos: s.KindPos}, Implicit: true})
	}
}
