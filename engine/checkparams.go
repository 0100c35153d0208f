package engine

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// ParamTypes are the declarable param types.
var ParamTypes = []string{"string", "int", "float", "bool", "duration", "list", "map"}

var itemTypes = []string{"string", "int", "float", "bool", "duration", "map"}

func (dc *defCheck) paramsCheck() {
	var fields []*ShapeField
	for _, p := range dc.d.Params {
		dc.param(p)
		fields = append(fields, &ShapeField{Name: p.Name.Name, Shape: paramShape(p), Required: p.Required()})
	}
	dc.params = Object(fields...)
	dc.params.Name = "params"
}

func (dc *defCheck) param(p *Param) {
	name := p.Name.Name
	if !nameRE.MatchString(name) {
		dc.ds.Errorf(p.Name.Pos, "param name %q must match ^[A-Za-z][A-Za-z0-9_]*$", name).Hint = "params are used in expressions (params.NAME): use letters, digits and _"
	}
	t := p.Type.Name
	if t != "" && !slices.Contains(ParamTypes, t) {
		dc.ds.Errorf(p.Type.Pos, "unknown param type %q", t).Hint = cmp.Or(DidYouMean(t, ParamTypes), "use one of "+strings.Join(ParamTypes, ", "))
		return
	}
	if p.Items != nil {
		if t != "list" {
			dc.ds.Errorf(p.Items.Pos, "items is only for list params, and %s is of type %s", name, t)
		} else if !slices.Contains(itemTypes, p.Items.Name) {
			dc.ds.Errorf(p.Items.Pos, "unknown items type %q", p.Items.Name).Hint = cmp.Or(DidYouMean(p.Items.Name, itemTypes), "use one of "+strings.Join(itemTypes, ", "))
		}
	}
	var re *regexp.Regexp
	if p.Pattern != nil {
		re = dc.pattern(p, t)
	}
	numeric := t == "int" || t == "float"
	for _, b := range []*Value{p.Min, p.Max} {
		if b != nil && !numeric {
			dc.ds.Errorf(b.Pos, "min and max are only for int and float params, and %s is of type %s", name, t)
		} else if b != nil && b.Kind != Int && b.Kind != Float {
			dc.ds.Errorf(b.Pos, "min and max must be numbers")
		}
	}
	for _, e := range p.Enum {
		if err := ParamValue(p, e.Data(), nil); err != nil {
			dc.ds.Errorf(e.Pos, "enum value of param %s: %v", name, err)
		}
	}
	if p.Default != nil {
		if !p.Default.IsLiteral() {
			dc.ds.Errorf(p.Default.Pos, "a param default is literal: it cannot use ${{ }}")
		} else if err := ParamValue(p, p.Default.Data(), re); err != nil {
			dc.ds.Errorf(p.Default.Pos, "default of param %s: %v", name, err)
		}
	}
}

func (dc *defCheck) pattern(p *Param, t string) *regexp.Regexp {
	if t != "string" && !(t == "list" && (p.Items == nil || p.Items.Name == "string")) {
		dc.ds.Errorf(p.Pattern.Pos, "pattern is only for string params (and lists of strings), and %s is of type %s", p.Name.Name, t)
		return nil
	}
	if p.Pattern.Kind != String || p.Pattern.Tmpl != nil {
		dc.ds.Errorf(p.Pattern.Pos, "pattern must be a literal regular expression")
		return nil
	}
	re, err := regexp.Compile(p.Pattern.Str)
	if err != nil {
		dc.ds.Errorf(p.Pattern.Pos, "pattern is not a valid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return nil
	}
	return re
}
