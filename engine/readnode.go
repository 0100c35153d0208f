package engine

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pair is one key of a mapping node.
type Pair struct {
	Key   string
	K, V  *yaml.Node
	Known bool
}

// mapping returns the pairs of a mapping node, reporting keys not in allowed
// (with "did you mean") unless allowed is nil. what names the mapping for
// messages ("step", "param ClusterId").
func (r *Reader) Mapping(n *yaml.Node, what string, allowed []string) []Pair {
	n = Deref(n)
	if n.Kind != yaml.MappingNode {
		r.Errorf(n, "%s must be a mapping, not %s", what, Describe(n))
		return nil
	}
	var out []Pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], Deref(n.Content[i+1])
		p := Pair{Key: k.Value, K: k, V: v, Known: allowed == nil || slices.Contains(allowed, k.Value)}
		if !p.Known {
			r.unknownKey(k, what, allowed)
		}
		out = append(out, p)
	}
	return out
}

func (r *Reader) unknownKey(k *yaml.Node, what string, allowed []string) {
	d := r.Errorf(k, "unknown field %q in %s", k.Value, what)
	if h := DidYouMean(k.Value, allowed); h != "" {
		d.Hint = h
	} else {
		d.Hint = "expected one of " + strings.Join(allowed, ", ")
	}
}

// str reads a literal string scalar: no `${{ }}` allowed.
func (r *Reader) Str(n *yaml.Node, what string) (string, bool) {
	n = Deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		r.Errorf(n, "%s must be a string, not %s", what, Describe(n))
		return "", false
	}
	if strings.Contains(n.Value, "${{") {
		r.Errorf(n, "%s is literal: it cannot use ${{ }}", what)
		return "", false
	}
	return n.Value, true
}

// ident reads a literal name with its position.
func (r *Reader) Ident(n *yaml.Node, what string) Ident {
	s, _ := r.Str(n, what)
	return Ident{Name: s, Pos: r.Pos(Deref(n))}
}

// strList reads a list of literal strings; a lone string is refused.
func (r *Reader) StrList(n *yaml.Node, what string) []Ident {
	n = Deref(n)
	if n.Kind != yaml.SequenceNode {
		r.Errorf(n, "%s must be a list, not %s", what, Describe(n))
		return nil
	}
	var out []Ident
	for _, c := range n.Content {
		out = append(out, r.Ident(c, what+" entry"))
	}
	return out
}

func (r *Reader) Int(n *yaml.Node, what string) (int, bool) {
	n = Deref(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return i, true
		}
	}
	d := r.Errorf(n, "%s must be an integer, not %s", what, Describe(n))
	if strings.Contains(n.Value, "${{") {
		d.Hint = "it is literal: it cannot use ${{ }}"
	}
	return 0, false
}

func (r *Reader) Bool(n *yaml.Node, what string) bool {
	n = Deref(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		_ = n.Decode(&b)
		return b
	}
	r.Errorf(n, "%s must be true or false, not %s", what, Describe(n))
	return false
}

// expr reads a field that holds a bare expression.
func (r *Reader) Expr(n *yaml.Node, what string) *Expr {
	n = Deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" || strings.TrimSpace(n.Value) == "" {
		r.Errorf(n, "%s must be an expression, not %s", what, Describe(n))
		return nil
	}
	m := r.posMap(n)
	if i := strings.Index(n.Value, "${{"); i >= 0 {
		d := r.Diags.Errorf(m.at(i), "%s holds a bare expression: write it without ${{ }}", what)
		d.Hint = "write the expression itself, such as `params.Force` or `result.Status == \"ok\"`"
		return nil
	}
	return &Expr{Src: n.Value, Pos: m.at(0), m: m}
}

// duration reads a duration: Go syntax plus d for days, or ${{ }}.
func (r *Reader) Duration(n *yaml.Node, what string) *Duration {
	n = Deref(n)
	v := r.Value(n)
	if v == nil {
		return nil
	}
	if v.Tmpl != nil {
		return &Duration{Expr: v.Tmpl, Pos: v.Pos}
	}
	if v.Kind != String {
		r.Errorf(n, "%s must be a duration such as 90s, 15m, 1h30m or 2d, not %s", what, Describe(n))
		return nil
	}
	d, err := ParseDuration(v.Str)
	if err != nil {
		r.Errorf(n, "%s: %v", what, err).Hint = "write a duration such as 90s, 15m, 1h30m or 2d"
		return nil
	}
	if d <= 0 {
		r.Errorf(n, "%s must be positive, not %s", what, v.Str)
		return nil
	}
	return &Duration{D: d, Pos: v.Pos}
}

// value converts a node into a Value, parsing templates in its strings.
func (r *Reader) Value(n *yaml.Node) *Value {
	n = Deref(n)
	v := &Value{Pos: r.Pos(n)}
	switch n.Kind {
	case yaml.MappingNode:
		v.Kind = Map
		v.Map = []*Entry{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if strings.Contains(k.Value, "${{") {
				r.Errorf(k, "map keys are literal: %q cannot use ${{ }}", k.Value)
			}
			v.Map = append(v.Map, &Entry{Key: k.Value, KeyPos: r.Pos(k), Value: r.Value(n.Content[i+1])})
		}
	case yaml.SequenceNode:
		v.Kind = List
		v.List = []*Value{}
		for _, c := range n.Content {
			v.List = append(v.List, r.Value(c))
		}
	default:
		r.scalar(n, v)
	}
	return v
}

func (r *Reader) scalar(n *yaml.Node, v *Value) {
	literalScalar(n, v)
	if v.Kind == String && strings.Contains(n.Value, "${{") {
		v.Tmpl = r.template(n.Value, r.posMap(n))
	}
}

// literalScalar decodes a scalar node as YAML types it: null, bool, int,
// float, else string.
func literalScalar(n *yaml.Node, v *Value) {
	switch n.ShortTag() {
	case "!!null":
		v.Kind = Null
		return
	case "!!bool":
		v.Kind = Bool
		_ = n.Decode(&v.Bool)
		return
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			v.Kind, v.Int = Int, i
			return
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			v.Kind, v.Float = Float, f
			return
		}
	}
	v.Kind, v.Str = String, n.Value
}

// template parses the `${{ }}` parts of s.
func (r *Reader) template(s string, m *posMap) *Template {
	parts, err, at := parseTemplate(s)
	if err != "" {
		r.Diags.Errorf(m.at(at), "%s", err).Hint = "write ${{ expression }}, or $${{ for a literal ${{"
		return nil
	}
	t := &Template{Parts: parts}
	for i := range t.Parts {
		if e := t.Parts[i].Expr; e != nil {
			e.m = m
			e.Pos = m.at(e.base + len(e.Src) - len(strings.TrimLeft(e.Src, " \t\n")))
		}
	}
	t.Whole = len(parts) == 1 && parts[0].Expr != nil
	return t
}

var (
	nameRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	defNameRE   = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	taskQueueRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	principalRE = regexp.MustCompile(`^(user|group):[A-Za-z0-9][A-Za-z0-9._@+-]*$`)
)

// Literal converts a node into a literal Value: data that hold no
// expressions, so `${{` is text.
func (r *Reader) Literal(n *yaml.Node) *Value {
	n = Deref(n)
	v := &Value{Pos: r.Pos(n)}
	switch n.Kind {
	case yaml.MappingNode:
		v.Kind, v.Map = Map, []*Entry{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			v.Map = append(v.Map, &Entry{Key: k.Value, KeyPos: r.Pos(k), Value: r.Literal(n.Content[i+1])})
		}
	case yaml.SequenceNode:
		v.Kind, v.List = List, []*Value{}
		for _, c := range n.Content {
			v.List = append(v.List, r.Literal(c))
		}
	default:
		literalScalar(n, v)
	}
	return v
}
