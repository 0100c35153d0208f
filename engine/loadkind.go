package engine

import (
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	refRE = regexp.MustCompile(`^[a-z][a-z0-9-]*(@[~^]?[0-9]+(\.[0-9]+){0,2})?$`)
	opRE  = regexp.MustCompile(`^[a-z0-9]+:[A-Z][A-Za-z0-9]*$`)
)

// kindValue reads the kind key's value: a scalar (with fields beside it) or
// a mapping of the kind's fields, whichever forms the kind has.
func (l *loader) kindValue(s *Step, p Pair, keys map[string]bool) {
	k := s.Kind
	if k.PlaybookOnly && !l.inPlaybook {
		l.Errorf(p.K, "%s is only for playbook nodes", k.Name)
	}
	if k.OwnTimeout && s.Timeout != nil {
		l.Diags.Errorf(s.Timeout.Pos, "%s carries its own timeout (the deadline of the wait)", k.Name).Hint = "move timeout inside " + k.Name
	}
	if p.V.Kind == yaml.MappingNode {
		if k.Fields == nil {
			l.Errorf(p.V, "%s takes %s, not a mapping", k.Name, fieldDesc(k.Scalar))
			return
		}
		present := map[string]bool{}
		for _, f := range l.Mapping(p.V, k.Name, nil) {
			present[f.Key] = true
			if fd := fieldNamed(k.Fields, f.Key); fd != nil {
				if e := l.arg(s, fd, f); e != nil {
					s.Args = append(s.Args, e)
				}
			} else if slices.Contains(stepFields, f.Key) {
				l.Errorf(f.K, "%s is a step-level field: put it beside %s, not inside it", f.Key, k.Name)
			} else {
				l.unknownKey(f.K, k.Name, fieldNames(k.Fields))
			}
		}
		l.required(p.K, k.Name, k.Fields, present)
		return
	}
	if k.Scalar == nil {
		l.Errorf(p.V, "%s takes a mapping of its fields (%s), not %s", k.Name, strings.Join(fieldNames(k.Fields), ", "), Describe(p.V))
		return
	}
	s.Main = l.argValue(s, k.Scalar, p.V, k.Name)
	l.required(p.K, k.Name, k.Beside, keys)
}

func (l *loader) required(at *yaml.Node, what string, fs []Field, present map[string]bool) {
	for _, f := range fs {
		if f.Required && !present[f.Name] {
			l.Errorf(at, "%s needs %s", what, f.Name).Hint = "add `" + f.Name + ":` (" + f.Doc + ")"
		}
	}
}

func fieldNames(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func fieldDesc(f *Field) string {
	switch f.Type {
	case DurationField:
		return "a duration"
	case OperationField:
		return "service:Operation"
	case RefField:
		return "NAME@VERSION"
	case BoolExprField, ExprField, ListExprField:
		return "an expression"
	}
	return "a string"
}

// arg reads one kind field.
func (l *loader) arg(s *Step, f *Field, p Pair) *Entry {
	v := l.argValue(s, f, p.V, p.Key)
	if v == nil {
		return nil
	}
	return &Entry{Key: p.Key, KeyPos: l.Pos(p.K), Value: v}
}

// argValue reads a field's value by its declared type; nil when it is
// invalid (already reported) or nested steps.
func (l *loader) argValue(s *Step, f *Field, n *yaml.Node, what string) *Value {
	n = Deref(n)
	switch f.Type {
	case StepsField:
		s.Steps = append(s.Steps, l.steps(n, what)...)
		return nil
	case ParamsField:
		s.Fields = append(s.Fields, l.params(n, what, "field")...)
		return nil
	case LinksField:
		return l.links(n, what)
	case ExprField, BoolExprField, ListExprField:
		e := l.Expr(n, what)
		if e == nil {
			return nil
		}
		return &Value{Kind: String, Pos: e.Pos, Str: e.Src, Tmpl: &Template{Whole: true, Parts: []Part{{Expr: e}}}}
	case DurationField:
		d := l.Duration(n, what)
		if d == nil {
			return nil
		}
		v := &Value{Kind: String, Pos: d.Pos, Tmpl: d.Expr, Str: n.Value}
		return v
	case IntField:
		i, ok := l.Int(n, what)
		if !ok {
			return nil
		}
		if i < f.Min {
			l.Errorf(n, "%s must be at least %d, not %d", what, f.Min, i)
		}
		return &Value{Kind: Int, Pos: l.Pos(n), Int: int64(i)}
	case BoolField:
		return &Value{Kind: Bool, Pos: l.Pos(n), Bool: l.Bool(n, what)}
	case PrincipalsField:
		if n.Kind != yaml.SequenceNode {
			l.principals(n, what)
			return nil
		}
		ids := l.principals(n, what)
		v := &Value{Kind: List, Pos: l.Pos(n), List: []*Value{}}
		for _, id := range ids {
			v.List = append(v.List, &Value{Kind: String, Pos: id.Pos, Str: id.Name})
		}
		return v
	case EnumField, RefField, OperationField:
		return l.literal(f, n, what)
	case StatusField:
		return l.status(n, what)
	case ObjectField:
		return l.object(s, f, n, what)
	}
	return l.shaped(f, n, what)
}

// shaped reads text, text maps, text lists and data.
func (l *loader) shaped(f *Field, n *yaml.Node, what string) *Value {
	switch f.Type {
	case TextField:
		if n.Kind != yaml.ScalarNode {
			l.Errorf(n, "%s must be a string, not %s", what, Describe(n))
			return nil
		}
	case TextMapField:
		if n.Kind != yaml.MappingNode {
			l.Errorf(n, "%s must be a mapping of strings, not %s", what, Describe(n))
			return nil
		}
		for i := 1; i < len(n.Content); i += 2 {
			if c := Deref(n.Content[i]); c.Kind != yaml.ScalarNode {
				l.Errorf(c, "%s %s must be a string, not %s", what, n.Content[i-1].Value, Describe(c))
			}
		}
	case TextListField:
		if n.Kind != yaml.SequenceNode {
			l.Errorf(n, "%s must be a list of strings, not %s", what, Describe(n)).Hint = "write it as [program, arg, ...]"
			return nil
		}
		if len(n.Content) == 0 {
			l.Errorf(n, "%s is empty", what).Hint = "write it as [program, arg, ...]"
		}
		for _, c := range n.Content {
			if c := Deref(c); c.Kind != yaml.ScalarNode {
				l.Errorf(c, "%s entries must be strings, not %s", what, Describe(c))
			}
		}
	}
	return l.Value(n)
}

// links reads a list of {title, url}.
func (l *loader) links(n *yaml.Node, what string) *Value {
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "%s must be a list of {title, url}, not %s", what, Describe(n)).Hint = "write `- {title: Dashboard, url: https://...}`"
		return nil
	}
	for _, c := range n.Content {
		c = Deref(c)
		present := map[string]bool{}
		for _, p := range l.Mapping(c, "link", []string{"title", "url"}) {
			present[p.Key] = true
			if Deref(p.V).Kind != yaml.ScalarNode {
				l.Errorf(p.V, "link %s must be a string, not %s", p.Key, Describe(p.V))
			}
		}
		if c.Kind == yaml.MappingNode && !(present["title"] && present["url"]) {
			l.Errorf(c, "a link needs a title and a url").Hint = "write `{title: Dashboard, url: https://...}`"
		}
	}
	return l.Value(n)
}

func (l *loader) literal(f *Field, n *yaml.Node, what string) *Value {
	s, ok := l.Str(n, what)
	if !ok {
		return nil
	}
	switch f.Type {
	case EnumField:
		if !slices.Contains(f.Enum, s) {
			l.Errorf(n, "%s must be one of %s, not %q", what, strings.Join(f.Enum, ", "), s).Hint = DidYouMean(s, f.Enum)
			return nil
		}
	case RefField:
		if !refRE.MatchString(s) {
			l.Errorf(n, "%s must be NAME, NAME@1.2.3, NAME@^1 or NAME@~1.2, not %q", what, s)
			return nil
		}
	case OperationField:
		if !opRE.MatchString(s) {
			l.Errorf(n, "%s must be service:Operation as in aws-sdk-go-v2 (rds:DescribeDBClusters), not %q", what, s)
			return nil
		}
	}
	return &Value{Kind: String, Pos: l.Pos(n), Str: s}
}

func (l *loader) status(n *yaml.Node, what string) *Value {
	v := l.Value(n)
	codes := []*Value{v}
	if v.Kind == List {
		codes = v.List
	}
	for _, c := range codes {
		if c.Kind != Int || c.Int < 100 || c.Int > 599 {
			l.Diags.Errorf(c.Pos, "%s must be an HTTP status code (100-599) or a list of them", what)
			return nil
		}
	}
	return v
}

func (l *loader) object(s *Step, f *Field, n *yaml.Node, what string) *Value {
	v := &Value{Kind: Map, Pos: l.Pos(n), Map: []*Entry{}}
	present := map[string]bool{}
	for _, p := range l.Mapping(n, what, fieldNames(f.Fields)) {
		if !p.Known {
			continue
		}
		present[p.Key] = true
		if e := l.arg(s, fieldNamed(f.Fields, p.Key), p); e != nil {
			v.Map = append(v.Map, e)
		}
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	if f.OneOf && len(present) != 1 {
		l.Errorf(n, "%s takes exactly one of %s", what, strings.Join(fieldNames(f.Fields), ", "))
	}
	l.required(n, what, f.Fields, present)
	return v
}
