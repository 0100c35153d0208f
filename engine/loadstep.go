package engine

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// stepFields are the fields any step may have, beside its kind key.
var stepFields = []string{"name", "description", "if", "timeout", "retry", "onFailure", "outputs", "branch", "default", "region", "assumeRole", "maxVisits"}

func (l *loader) steps(n *yaml.Node, what string) []*Step {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a list of steps, not %s", what, describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.errorf(n, "%s is empty: add at least one step", what)
	}
	var out []*Step
	for _, c := range n.Content {
		if s := l.step(deref(c)); s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (l *loader) step(n *yaml.Node) *Step {
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "a step must be a mapping, not %s", describe(n)).Hint = "for example `- name: wait` then `sleep: 30s` on the next line"
		return nil
	}
	s := &Step{Pos: l.pos(n)}
	pairs := l.mapping(n, "step", nil)
	// Find the kind key first: it decides which other fields may sit here.
	var kindPair *pair
	for i, p := range pairs {
		k := l.kinds.Lookup(p.key)
		if k == nil {
			continue
		}
		if kindPair != nil {
			l.errorf(p.k, "a step has one kind: this one already is %s", kindPair.key).Hint = "split it into two steps"
			continue
		}
		kindPair, s.Kind, s.KindPos = &pairs[i], k, l.pos(p.k)
	}
	var beside []Field
	if s.Kind != nil && s.Kind.Scalar != nil && kindPair.v.Kind != yaml.MappingNode {
		beside = s.Kind.Beside
	}
	keys := map[string]bool{}
	unknown := false
	for _, p := range pairs {
		keys[p.key] = true
		switch {
		case kindPair != nil && p.k == kindPair.k:
		case contains(stepFields, p.key):
			l.stepField(s, p)
		case fieldNamed(beside, p.key) != nil:
			if e := l.arg(s, fieldNamed(beside, p.key), p); e != nil {
				s.Args = append(s.Args, e)
			}
		case l.kinds.Lookup(p.key) != nil:
		default:
			unknown = true
			l.misplaced(s, p)
		}
	}
	if !hasKey(n, "name") {
		l.errorf(n, "step has no name").Hint = "add `name: NAME` (letters, digits and _)"
	}
	if kindPair != nil {
		l.kindValue(s, *kindPair, keys)
	} else if len(s.Branch) == 0 && !unknown {
		d := l.errorf(n, "step %s has no kind", s.Name.Name)
		d.Hint = "add one of " + strings.Join(l.kinds.Names(), ", ") + " (or a branch)"
	}
	return s
}

// misplaced reports an unknown step field, saying where it belongs when it
// is a field of the step's kind or of another kind.
func (l *loader) misplaced(s *Step, p pair) {
	if s.Kind != nil && fieldNamed(s.Kind.Fields, p.key) != nil {
		l.errorf(p.k, "%s belongs inside %s's mapping, not beside it", p.key, s.Kind.Name)
		return
	}
	for _, k := range l.kinds {
		if fieldNamed(k.Beside, p.key) != nil || fieldNamed(k.Fields, p.key) != nil {
			d := l.errorf(p.k, "%s is a field of %s, not of this step", p.key, k.Name)
			if s.Kind == nil {
				d.Hint = "add the kind key `" + k.Name + "`"
			}
			return
		}
	}
	allowed := append(append([]string{}, stepFields...), l.kinds.Names()...)
	l.unknownKey(p.k, "step", allowed)
}

func (l *loader) stepField(s *Step, p pair) {
	switch p.key {
	case "name":
		s.Name = l.ident(p.v, "name")
	case "description":
		s.Description, _ = l.str(p.v, "description")
	case "if":
		s.If = l.expr(p.v, "if")
	case "timeout":
		s.Timeout = l.duration(p.v, "timeout")
	case "retry":
		s.Retry = l.retry(p.v)
	case "onFailure":
		s.OnFailure = l.onFailure(p.v)
	case "outputs":
		s.Outputs = l.outputs(p.v, "outputs")
	case "branch":
		s.Branch = l.branch(p.v)
	case "default":
		d := l.ident(p.v, "default")
		s.Default = &d
	case "region":
		s.Region = l.value(p.v)
	case "assumeRole":
		s.AssumeRole = l.value(p.v)
	case "maxVisits":
		if n, ok := l.integer(p.v, "maxVisits"); ok {
			if n < 1 {
				l.errorf(p.v, "maxVisits must be at least 1, not %d", n)
			}
			s.MaxVisits = n
		}
	}
}

func (l *loader) retry(n *yaml.Node) *Retry {
	r := &Retry{Pos: l.pos(n), MaxAttempts: 3, Backoff: 2}
	for _, f := range l.mapping(n, "retry", []string{"maxAttempts", "interval", "backoff"}) {
		switch f.key {
		case "maxAttempts":
			if v, ok := l.integer(f.v, "maxAttempts"); ok {
				if v < 1 {
					l.errorf(f.v, "maxAttempts counts every attempt, the first included: it must be at least 1, not %d", v)
				}
				r.MaxAttempts = v
			}
		case "interval":
			r.Interval = l.duration(f.v, "interval")
		case "backoff":
			v := l.value(f.v)
			switch {
			case v.Kind == Int && v.Int >= 1:
				r.Backoff = float64(v.Int)
			case v.Kind == Float && v.Float >= 1:
				r.Backoff = v.Float
			default:
				l.errorf(f.v, "backoff is the factor between intervals: a number of at least 1, not %s", f.v.Value)
			}
		}
	}
	return r
}

func (l *loader) onFailure(n *yaml.Node) *OnFailure {
	s, ok := l.str(n, "onFailure")
	if !ok {
		return nil
	}
	o := &OnFailure{Pos: l.pos(n), Action: s}
	if t, found := strings.CutPrefix(s, "goto:"); found {
		o.Action = "goto"
		o.Goto = Ident{Name: strings.TrimSpace(t), Pos: Pos{File: l.file, Line: n.Line, Col: n.Column + len(s) - len(t)}}
		if o.Goto.Name == "" {
			l.errorf(n, "onFailure goto names no step: write goto:STEP")
			return nil
		}
		return o
	}
	if s != "abort" && s != "continue" {
		d := l.errorf(n, "onFailure must be abort, continue or goto:STEP, not %q", s)
		if h := didYouMean(s, []string{"abort", "continue"}); h != "" {
			d.Hint = h
		}
		return nil
	}
	return o
}

func (l *loader) branch(n *yaml.Node) []*Branch {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "branch must be a list of {when, goto}, not %s", describe(n))
		return nil
	}
	var out []*Branch
	for _, c := range n.Content {
		b := &Branch{}
		for _, f := range l.mapping(c, "branch entry", []string{"when", "goto"}) {
			switch f.key {
			case "when":
				b.When = l.expr(f.v, "when")
			case "goto":
				b.Goto = l.ident(f.v, "goto")
			}
		}
		if deref(c).Kind == yaml.MappingNode && (!hasKey(c, "when") || !hasKey(c, "goto")) {
			l.errorf(c, "a branch entry needs both when and goto")
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
