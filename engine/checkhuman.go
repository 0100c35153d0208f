package engine

import "slices"

// askFields checks an ask step's fields, declared as params are, and its
// default answer; it returns the shape of its result: the answer.
func (dc *defCheck) askFields(s *Step) *Shape {
	var fields []*ShapeField
	byName := map[string]*Param{}
	for _, p := range s.Fields {
		dc.param(p)
		if p.Secret {
			dc.ds.Errorf(p.Name.Pos, "field %s cannot be secret: an answer is recorded in the execution's history", p.Name.Name).Hint = "ask for where the secret is (a Secrets Manager ARN), not for the secret"
		}
		byName[p.Name.Name] = p
		fields = append(fields, &ShapeField{Name: p.Name.Name, Shape: paramShape(p), Required: true})
	}
	if len(s.Fields) == 0 {
		dc.ds.Errorf(s.KindPos, "ask step %s has no fields: nothing to answer", s.Name.Name).Hint = "add `fields: {saw: {type: enum-like string, enum: [yes, no]}}`, or use a manual step"
	}
	if def := s.Arg("default"); def != nil {
		dc.defaultAnswer(def, byName)
	}
	return Object(fields...)
}

// defaultAnswer checks the answer an ask step takes at its timeout: a
// literal mapping of its fields; a field it leaves out takes its own
// default, and one without is an error.
func (dc *defCheck) defaultAnswer(def *Value, byName map[string]*Param) {
	if def.Kind != Map {
		dc.ds.Errorf(def.Pos, "default must be a mapping of the fields' answers").Hint = "write `default: {FIELD: VALUE}`"
		return
	}
	var names []string
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	given := map[string]bool{}
	for _, e := range def.Map {
		p := byName[e.Key]
		given[e.Key] = true
		switch {
		case p == nil:
			dc.ds.Errorf(e.KeyPos, "default answers field %q, which the step does not ask", e.Key).Hint = DidYouMean(e.Key, names)
		case !e.Value.IsLiteral():
			dc.ds.Errorf(e.Value.Pos, "a default answer is literal: it cannot use ${{ }}")
		default:
			if err := ParamValue(p, e.Value.Data(), nil); err != nil {
				dc.ds.Errorf(e.Value.Pos, "default answer of field %s: %v", e.Key, err)
			}
		}
	}
	for _, n := range names {
		if !given[n] && byName[n].Default == nil {
			dc.ds.Errorf(def.Pos, "the default answer leaves field %s out, and it has no default of its own", n).Hint = "add `" + n + ": VALUE` to default"
		}
	}
}
