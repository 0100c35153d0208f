package engine

import (
	"bytes"
	"errors"
	"io"
	"slices"

	"gopkg.in/yaml.v3"
)

// Format returns a definition file in its canonical layout: every mapping
// the format knows has its keys in the order the format lists them (the
// header fields, then the body, steps or start and nodes, then finally;
// a step's name, description and if, its kind key and the fields beside
// it, then the other step fields; a kind's fields in its descriptor's
// order), unknown keys after the known ones in their own order, a
// 2-space indent, and the comments kept. Values are untouched, so the
// file means what it meant: it lowers to the same plan. Format is
// idempotent. A file that is no YAML is an error; one that is no
// definition is laid out without reordering.
func Format(src []byte, kinds Kinds) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	var fs folds
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if len(doc.Content) > 0 {
			formatter{kinds}.definition(doc.Content[0])
		}
		fs.hide(&doc)
		if err := enc.Encode(&doc); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return fs.restore(out.Bytes()), nil
}

// formatter orders the keys of a definition's mappings.
type formatter struct{ kinds Kinds }

// definition orders the header and walks into its parts.
func (f formatter) definition(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	var order []string
	switch value(n, "kind") {
	case KindRunbook:
		order = bodyLast(runbookHeader, "steps")
	case KindPlaybook:
		order = bodyLast(playbookHeader, "start", "nodes")
	case KindRouting:
		order = routingHeader
	default:
		return
	}
	if first := n.Content[0]; first.HeadComment != "" && n.HeadComment == "" {
		// The file's opening comment (the schema line) stays on top.
		n.HeadComment, first.HeadComment = first.HeadComment, ""
	}
	orderKeys(n, order)
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		switch n.Content[i].Value {
		case "params":
			eachValue(v, func(p *yaml.Node) { orderKeys(p, paramFields) })
		case "outputs":
			eachValue(v, func(o *yaml.Node) { orderKeys(o, outputFields) })
		case "triggers":
			eachItem(v, func(t *yaml.Node) { orderKeys(t, triggerFields) })
		case "routes":
			eachItem(v, func(r *yaml.Node) { orderKeys(r, routeFields) })
		case "steps", "nodes", "finally":
			f.steps(v)
		}
	}
}

// bodyLast is header with finally moved after the body fields, where
// every definition writes it: it runs at the end.
func bodyLast(header []string, body ...string) []string {
	out := slices.DeleteFunc(slices.Clone(header), func(k string) bool { return k == "finally" || slices.Contains(body, k) })
	return append(append(out, body...), "finally")
}

// steps orders each step of a list.
func (f formatter) steps(n *yaml.Node) {
	eachItem(n, f.step)
}

// step orders a step: name, description, if, the kind key and the fields
// beside it, then the other step fields; and walks into its parts.
func (f formatter) step(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	order := slices.Clone(stepFields[:3])
	var kind *Kind
	var kindValue *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := f.kinds.Lookup(n.Content[i].Value); k != nil && kind == nil {
			kind, kindValue = k, n.Content[i+1]
			order = append(order, k.Name)
			for _, b := range k.Beside {
				order = append(order, b.Name)
			}
		}
	}
	order = append(order, stepFields[3:]...)
	orderKeys(n, order)
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		switch n.Content[i].Value {
		case "retry":
			orderKeys(v, retryFields)
		case "branch":
			eachItem(v, func(b *yaml.Node) { orderKeys(b, branchFields) })
		case "outputs":
			eachValue(v, func(o *yaml.Node) { orderKeys(o, outputFields) })
		}
	}
	if kind != nil {
		if kindValue.Kind == yaml.MappingNode {
			f.fields(kindValue, kind.Fields)
		} else {
			f.walk(n, kind.Beside)
		}
	}
}

// fields orders a mapping of a kind's fields and walks into it.
func (f formatter) fields(n *yaml.Node, fields []Field) {
	if n.Kind == yaml.MappingNode {
		orderKeys(n, fieldNames(fields))
		f.walk(n, fields)
	}
}

// walk formats the objects and steps the fields of mapping n hold.
func (f formatter) walk(n *yaml.Node, fields []Field) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		fd := fieldNamed(fields, n.Content[i].Value)
		switch {
		case fd == nil:
		case fd.Type == ObjectField:
			f.fields(n.Content[i+1], fd.Fields)
		case fd.Type == StepsField:
			f.steps(n.Content[i+1])
		}
	}
}

// The fields of the smaller mappings, in the order the format lists them.
var (
	outputFields = []string{"value", "secret"}
	retryFields  = []string{"maxAttempts", "interval", "backoff"}
	branchFields = []string{"when", "goto"}
)

// orderKeys sorts the pairs of mapping n by their key's place in order,
// keys order does not list last, each group keeping its own order.
func orderKeys(n *yaml.Node, order []string) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	rank := func(p pair) int {
		if i := slices.Index(order, p.k.Value); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a) - rank(b) })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}

// eachItem calls fn on each item of a sequence.
func eachItem(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			fn(c)
		}
	}
}

// eachValue calls fn on each value of a mapping.
func eachValue(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 1; i < len(n.Content); i += 2 {
			fn(n.Content[i])
		}
	}
}

// value is the scalar value of key in mapping n, "" when absent.
func value(n *yaml.Node, key string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}
