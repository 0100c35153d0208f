package ssm

import (
	"fmt"
	"regexp"
	"strings"
)

// SSM variables (variables:, {{ variable:NAME }}, aws:updateVariable)
// hold the value last assigned. The importer writes each aws:updateVariable
// as a log step whose output `value` holds the new value, and reads a
// variable through the one assignment that reaches the read (which then
// dominates it), or as its default where no assignment can have run. A
// read that several assignments may reach, or a variable a loop assigns,
// has no v1 form.

// varMarker stands for a variable's value until the steps are complete.
func varMarker(name string) string { return "__ssmvar_" + name + "__" }

var varMarkers = regexp.MustCompile(`__ssmvar_([A-Za-z0-9_]+)__`)

// variable resolves {{ variable:NAME }} for now: a marker, replaced by
// resolveVars once every step is written.
func (t *translator) variable(name string) (ref, error) {
	v, ok := t.doc.Variables[name]
	if !ok || v == nil || !isIdent(name) {
		return ref{}, unsupported("reference to an unknown variable", name)
	}
	ty, ok := paramTypes[v.Type]
	if !ok {
		ty = [2]string{"any", ""}
	}
	if t.loop != nil && t.assigned(name) {
		return ref{}, unsupported("variables: a loop reads a variable that steps assign (v1 loop items carry no values)", name)
	}
	return ref{varMarker(name), ty[0]}, nil
}

// assigned reports whether an aws:updateVariable step assigns the variable.
func (t *translator) assigned(name string) bool {
	var walk func([]*ssmStep) bool
	walk = func(steps []*ssmStep) bool {
		for _, s := range steps {
			if s.Action == "aws:updateVariable" && strings.TrimSpace(toString(s.Inputs["Name"])) == "variable:"+name {
				return true
			}
			if raw, ok := s.Inputs["Steps"].([]any); ok && s.Action == "aws:loop" && walk(decodeSteps(raw)) {
				return true
			}
		}
		return false
	}
	return walk(t.doc.MainSteps)
}

// updateVariable translates aws:updateVariable into a log step whose
// output value holds the variable's new value.
func (t *translator) updateVariable(s *ssmStep, name string) ([]*step, error) {
	v, _ := s.Inputs["Name"].(string)
	vn, ok := strings.CutPrefix(strings.TrimSpace(v), "variable:")
	if !ok {
		return nil, fmt.Errorf("malformed document: updateVariable %s names %q, not variable:NAME", s.Name, v)
	}
	if t.loop != nil {
		return nil, unsupported("variables: a loop assigns a variable (v1 loop items carry no values)", vn)
	}
	if _, err := t.variable(vn); err != nil {
		return nil, err
	}
	e, err := t.dataExpr(s.Inputs["Value"])
	if err != nil {
		return nil, err
	}
	t.assigns[name] = vn
	return []*step{{Name: name, Log: "variable " + vn + " = ${{ toJSON(" + e + ") }}", Outputs: outs("value", e)}}, nil
}

// resolveVars replaces each variable marker with the read of the one
// assignment that reaches it, or the variable's default.
func (t *translator) resolveVars(steps []*step) []*step {
	g := newFlowGraph(steps)
	var out []*step
	for i, s := range steps {
		var bad string
		ns, _ := mapStep(s, func(text string) (string, bool) {
			return varMarkers.ReplaceAllStringFunc(text, func(m string) string {
				vn := varMarkers.FindStringSubmatch(m)[1]
				e, ok := t.reaching(steps, g, i, vn)
				if !ok {
					bad = vn
				}
				return e
			}), true
		})
		if bad != "" {
			t.problems = append(t.problems, Problem{Step: s.Name, Reason: "variables: a read that different assignments may reach", Detail: "variable:" + bad})
		}
		out = append(out, ns)
	}
	return out
}

// reaching is the value of variable vn at step i: the output of the one
// assignment that every path to i meets last, or the default when no
// path meets one.
func (t *translator) reaching(steps []*step, g *flowGraph, i int, vn string) (string, bool) {
	kills := func(n int) bool { return n < len(steps) && t.assigns[steps[n].Name] == vn }
	found := map[int]bool{}
	initial := false
	// Walk back from i; an assignment ends the walk on its path.
	preds := g.preds()
	seen := map[int]bool{}
	stack := []int{i}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == 0 {
			initial = true // a path from the start meets no assignment
		}
		for _, p := range preds[n] {
			switch {
			case kills(p):
				found[p] = true
			case !seen[p]:
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	switch {
	case len(found) == 0:
		d, err := t.dataExpr(t.doc.Variables[vn].Default)
		return d, err == nil
	case len(found) == 1 && !initial:
		for n := range found {
			return "steps." + steps[n].Name + ".value", true
		}
	}
	return "nil", false
}
