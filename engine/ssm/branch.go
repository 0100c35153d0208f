package ssm

import (
	"fmt"
	"strings"
)

// comparisons maps the Choices operators to expressions over a (the
// variable) and b (the value).
var comparisons = map[string]string{
	"StringEquals":           "string(%s) == %s",
	"EqualsIgnoreCase":       "lower(string(%s)) == lower(%s)",
	"StartsWith":             "string(%s) startsWith %s",
	"EndsWith":               "string(%s) endsWith %s",
	"NumericEquals":          "float(%s) == float(%s)",
	"NumericGreater":         "float(%s) > float(%s)",
	"NumericLesser":          "float(%s) < float(%s)",
	"NumericGreaterOrEquals": "float(%s) >= float(%s)",
	"NumericLesserOrEquals":  "float(%s) <= float(%s)",
	"BooleanEquals":          "string(%s) == %s",
}

// branch translates aws:branch into a pure decision: one route per choice,
// and Default (else a failing step, as SSM fails when nothing matches).
func (t *translator) branch(s *ssmStep, name string) ([]*step, error) {
	choices, _ := s.Inputs["Choices"].([]any)
	if len(choices) == 0 {
		return nil, fmt.Errorf("malformed document: branch %s has no Choices", s.Name)
	}
	st := &step{Name: name}
	for _, c := range choices {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("malformed document: a choice of %s is not a mapping", s.Name)
		}
		next, _ := m["NextStep"].(string)
		to, err := t.target(next)
		if err != nil {
			return nil, err
		}
		when, err := t.choice(m)
		if err != nil {
			return nil, err
		}
		st.Branch = append(st.Branch, route{When: when, Goto: to})
	}
	if d, ok := s.Inputs["Default"].(string); ok && d != "" {
		to, err := t.target(d)
		if err != nil {
			return nil, err
		}
		st.Default = to
	} else {
		st.Default = t.failName()
		t.needFail = true
	}
	if t.conv[s.Name] != nil {
		return []*step{t.choose(st)}, nil
	}
	return []*step{st}, nil
}

// choice translates one choice (or a nested And, Or, Not) into a bool
// expression.
func (t *translator) choice(m map[string]any) (string, error) {
	for _, op := range []string{"And", "Or"} {
		if l, ok := m[op].([]any); ok {
			parts := make([]string, len(l))
			for i, e := range l {
				em, ok := e.(map[string]any)
				if !ok {
					return "", fmt.Errorf("malformed document: %s holds a non-mapping", op)
				}
				x, err := t.choice(em)
				if err != nil {
					return "", err
				}
				parts[i] = "(" + x + ")"
			}
			return strings.Join(parts, map[string]string{"And": " && ", "Or": " || "}[op]), nil
		}
	}
	if n, ok := m["Not"].(map[string]any); ok {
		x, err := t.choice(n)
		return "!(" + x + ")", err
	}
	v, _ := m["Variable"].(string)
	a, err := t.expr(v)
	if err != nil {
		return "", err
	}
	for k, val := range m {
		if k == "Variable" || k == "NextStep" {
			continue
		}
		b, err := t.value(val)
		if err != nil {
			return "", err
		}
		if k == "Contains" {
			if a.kind == "list" {
				return b + " in " + a.expr, nil
			}
			if a.kind == "any" {
				return "(type(" + a.expr + `) == "array" ? ` + b + " in " + a.expr + " : string(" + a.expr + ") contains " + b + ")", nil
			}
			return "string(" + a.expr + ") contains " + b, nil
		}
		if f, ok := comparisons[k]; ok {
			return fmt.Sprintf(f, a.expr, b), nil
		}
		return "", unsupported("branch operator "+k, k)
	}
	return "", fmt.Errorf("malformed document: a choice has no operator")
}

// value is a choice's value as an expression: a string (with references),
// a number or a bool (compared as SSM does, as text).
func (t *translator) value(v any) (string, error) {
	switch v := v.(type) {
	case string:
		r, err := t.expr(v)
		return r.expr, err
	case bool:
		return fmt.Sprintf("%q", toString(v)), nil
	case float64:
		return toString(v), nil
	}
	return "", fmt.Errorf("malformed document: choice value %v", v)
}
