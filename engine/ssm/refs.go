package ssm

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// refPattern matches an SSM reference, {{ name }}.
// An empty one ({{}}, as in code) is no reference: SSM leaves it as it is.
var refPattern = regexp.MustCompile(`\{\{\s*([^{}\s][^{}]*?)\s*\}\}`)

// refKind is what a reference gives, as far as the importer knows: the
// v1 param type ("string", "int", "bool", "list", "map") or "any".
type refKind = string

// ref is an expression for an SSM reference and the kind of its value.
type ref struct {
	expr string
	kind refKind
}

// partitionExpr gives the AWS partition of the execution's region.
const partitionExpr = `execution.region startsWith "cn-" ? "aws-cn" : execution.region startsWith "us-gov-" ? "aws-us-gov" : "aws"`

// globals are the automation and global variables v1 can express.
var globals = map[string]ref{
	"automation:EXECUTION_ID":          {"execution.id", "string"},
	"automation:DOCUMENT_EXECUTION_ID": {"execution.id", "string"},
	"global:REGION":                    {"execution.region", "string"},
	"global:ACCOUNT_ID":                {"execution.account", "string"},
	"global:AWS_PARTITION":             {"(" + partitionExpr + ")", "string"},
	"global:DATE_TIME":                 {`now().Format("2006-01-02_15.04.05")`, "string"},
	"global:DATE":                      {`now().Format("2006-01-02")`, "string"},
	"global:DATE_TIME_UTC":             {`now().Format("2006-01-02_15.04.05")`, "string"},
}

// lookup resolves a reference's name: a param, step.Output, a global, or
// (inside a loop) the loop's current item.
func (t *translator) lookup(name string) (ref, error) {
	if r, ok := globals[name]; ok {
		return r, nil
	}
	if pre, _, ok := strings.Cut(name, ":"); ok {
		switch pre {
		case "variable":
			return t.variable(strings.TrimSpace(strings.TrimPrefix(name, "variable:")))
		case "ssm", "ssm-secure":
			return t.storeLookup(name)
		}
		return ref{}, unsupported("unknown global "+strings.SplitN(name, ":", 2)[0]+":", name)
	}
	if st, out, ok := strings.Cut(name, "."); ok {
		if t.loop != nil && st == t.loop.ssmName {
			switch out {
			case "CurrentIteratorValue":
				return ref{"item", "any"}, nil
			case "CurrentIteration":
				return ref{"(index + 1)", "int"}, nil
			}
		}
		if r, ok := t.outs[name]; ok {
			return r, nil
		}
		return ref{}, unsupported("reference to an unknown step output", name)
	}
	if p, ok := t.params[name]; ok {
		if t.resolvedParam(name) {
			return t.paramLookup(name)
		}
		kind := p.Type
		return ref{"params." + p.name, kind}, nil
	}
	return ref{}, unsupported("reference to an unknown parameter", name)
}

// only returns the reference when s is exactly one {{ }}.
func (t *translator) only(s string) (ref, bool, error) {
	m := refPattern.FindStringSubmatchIndex(s)
	if m == nil || m[0] != 0 || m[1] != len(s) {
		return ref{}, false, nil
	}
	r, err := t.lookup(s[m[2]:m[3]])
	return r, err == nil, err
}

// text rewrites a string's {{ }} references as ${{ }} interpolations; a
// string that is exactly one reference keeps the reference's type.
func (t *translator) text(s string) (string, error) {
	var err error
	out := refPattern.ReplaceAllStringFunc(s, func(m string) string {
		r, e := t.lookup(strings.TrimSpace(m[2 : len(m)-2]))
		if e != nil {
			err = e
			return m
		}
		t.kinds[r.expr] = r.kind
		return "${{ " + r.expr + " }}"
	})
	return out, err
}

// expr turns a string with references into one expression: the reference
// alone, a quoted literal, or a concatenation.
func (t *translator) expr(s string) (ref, error) {
	if r, ok, err := t.only(s); ok || err != nil {
		return r, err
	}
	idx := refPattern.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return ref{strconv.Quote(s), "string"}, nil
	}
	var parts []string
	last := 0
	for _, m := range idx {
		if m[0] > last {
			parts = append(parts, strconv.Quote(s[last:m[0]]))
		}
		r, err := t.lookup(s[m[2]:m[3]])
		if err != nil {
			return ref{}, err
		}
		parts = append(parts, "string("+r.expr+")")
		last = m[1]
	}
	if last < len(s) {
		parts = append(parts, strconv.Quote(s[last:]))
	}
	return ref{strings.Join(parts, " + "), "string"}, nil
}

// data rewrites the references in every string of plain data.
func (t *translator) data(v any) (any, error) {
	switch v := v.(type) {
	case string:
		return t.text(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			x, err := t.data(e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			x, err := t.data(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	return v, nil
}

// dataExpr writes plain data as one expression (a literal with the
// references in place), for a script's events.
func (t *translator) dataExpr(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "nil", nil
	case string:
		r, err := t.expr(v)
		return r.expr, err
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(v), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			x, err := t.dataExpr(e)
			if err != nil {
				return "", err
			}
			parts[i] = x
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case map[string]any:
		return objectExpr(v, t.dataExpr)
	}
	return "", fmt.Errorf("unexpected value %v (%T)", v, v)
}

// objectExpr writes a map as an expression, its keys sorted, each value
// written by elem.
func objectExpr(v map[string]any, elem func(any) (string, error)) (string, error) {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		x, err := elem(v[k])
		if err != nil {
			return "", err
		}
		parts[i] = strconv.Quote(k) + ": " + x
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}
