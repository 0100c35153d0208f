package ssm

import (
	"sort"
	"strings"
)

// SSM resolves the references in a parameter's default ({{ global:REGION }},
// {{ automation:EXECUTION_ID }}, {{ ssm:NAME }}, another parameter) when an
// execution starts. A v1 default is a literal, so the parameter keeps the
// default's text, and a log step at the start of the run, defaults,
// resolves it once: its output for the parameter is the default with its
// references resolved when the parameter was left at that text, else the
// value given. References to the parameter read that output; the header's
// assumeRole, which cannot read steps, resolves the default in place.

// refDefault reports whether a declared default holds a reference.
func refDefault(sp *parameter) bool {
	s, ok := sp.Default.(string)
	return ok && refPattern.MatchString(s)
}

// resolvedParam reports whether the parameter (SSM name) has a default
// with references.
func (t *translator) resolvedParam(name string) bool {
	sp := t.doc.Parameters[name]
	return sp != nil && refDefault(sp)
}

// atDefault is the condition that the parameter (SSM name) was left at
// its default.
func (t *translator) atDefault(name string) string {
	p := t.params[name]
	s, _ := p.Default.(string)
	return "params." + p.name + " == " + exprString(s)
}

// paramLookup reads a parameter whose default holds references: through
// the defaults step, or in place in a default or the header.
func (t *translator) paramLookup(name string) (ref, error) {
	p := t.params[name]
	if t.inDefault == "" && !t.inHeader {
		if t.defaultReads == nil {
			t.defaultReads = map[string]bool{}
		}
		t.defaultReads[name] = true
		return ref{"steps." + t.reserve("defaults") + "." + p.name, p.Type}, nil
	}
	e, err := t.defaultExpr(name)
	if err == nil && t.inHeader && strings.Contains(e, "steps.") {
		return ref{}, unsupported("assumeRole: a parameter whose default reads Parameter Store (the header cannot read steps)", name)
	}
	return ref{e, p.Type}, err
}

// defaultExpr is the parameter's value with the references in its
// default resolved.
func (t *translator) defaultExpr(name string) (string, error) {
	if t.resolving[name] {
		return "", unsupported("a parameter default that refers to itself", name)
	}
	if t.resolving == nil {
		t.resolving = map[string]bool{}
	}
	t.resolving[name] = true
	outer := t.inDefault
	t.inDefault = name
	defer func() { delete(t.resolving, name); t.inDefault = outer }()
	p := t.params[name]
	r, err := t.expr(p.Default.(string))
	if err != nil {
		return "", err
	}
	return "(" + t.atDefault(name) + " ? " + r.expr + " : params." + p.name + ")", nil
}

// prologue is what the run starts with: the defaults step, and before it
// the Parameter Store reads.
func (t *translator) prologue() []*step {
	var names []string
	for n := range t.defaultReads {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*step
	if len(names) > 0 {
		om := &orderedMap{}
		for _, n := range names {
			e, err := t.defaultExpr(n)
			if err != nil {
				t.fail(nil, err)
				continue
			}
			om.set(t.params[n].name, e)
		}
		out = append(out, &step{Name: t.reserve("defaults"), Log: "the parameters left at defaults that hold references, resolved", Outputs: om.yamlNode()})
	}
	return append(t.storeSteps(), out...)
}
