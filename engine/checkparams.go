package engine

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ParamTypes are the declarable param types.
var ParamTypes = []string{"string", "int", "float", "bool", "duration", "list", "map"}

var itemTypes = []string{"string", "int", "float", "bool", "duration", "map"}

// paramShape is the shape of a param's value in expressions.
func paramShape(p *Param) *Shape {
	switch p.Type.Name {
	case "int":
		return Integer
	case "float":
		return Number
	case "bool":
		return Boolean
	case "list":
		it := &Param{Type: Ident{Name: "string"}}
		if p.Items != nil {
			it.Type = *p.Items
		}
		return ListOf(paramShape(it))
	case "map":
		return MapOf(Any)
	case "string", "duration":
		return Str
	}
	return Any
}

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

// ParamValue checks a param value given as plain data (from YAML or JSON,
// or parsed from the command line) against the param's declaration: type,
// pattern (re, when compiled), enum, min and max.
func ParamValue(p *Param, v any, re *regexp.Regexp) error {
	if re == nil && p.Pattern != nil && p.Pattern.Kind == String {
		re, _ = regexp.Compile(p.Pattern.Str)
	}
	if err := typeOK(p.Type.Name, p.Items, v); err != nil {
		return err
	}
	if re != nil {
		if s, ok := v.(string); ok && !re.MatchString(s) {
			return fmt.Errorf("%q does not match pattern %s", s, re)
		}
	}
	if len(p.Enum) > 0 {
		ok := false
		var allowed []string
		for _, e := range p.Enum {
			allowed = append(allowed, fmt.Sprint(e.Data()))
			ok = ok || fmt.Sprint(e.Data()) == fmt.Sprint(v)
		}
		if !ok {
			return fmt.Errorf("%v is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	f, isNum := toFloat(v)
	if isNum && p.Min != nil {
		if m, _ := toFloat(p.Min.Data()); f < m {
			return fmt.Errorf("%v is less than the minimum %v", v, p.Min.Data())
		}
	}
	if isNum && p.Max != nil {
		if m, _ := toFloat(p.Max.Data()); f > m {
			return fmt.Errorf("%v is more than the maximum %v", v, p.Max.Data())
		}
	}
	return nil
}

func typeOK(t string, items *Ident, v any) error {
	ok := true
	switch t {
	case "string":
		_, ok = v.(string)
	case "int":
		switch x := v.(type) {
		case int, int64:
		case float64:
			ok = x == float64(int64(x))
		default:
			ok = false
		}
	case "float":
		_, ok = toFloat(v)
	case "bool":
		_, ok = v.(bool)
	case "duration":
		s, isStr := v.(string)
		if !isStr {
			ok = false
		} else if _, err := ParseDuration(s); err != nil {
			return err
		}
	case "list":
		list, isList := v.([]any)
		if !isList {
			ok = false
			break
		}
		it := "string"
		if items != nil {
			it = items.Name
		}
		for i, x := range list {
			if err := typeOK(it, nil, x); err != nil {
				return fmt.Errorf("item %d: %v", i, err)
			}
		}
	case "map":
		_, ok = v.(map[string]any)
	}
	if !ok {
		return fmt.Errorf("want %s, got %s", article(t), describeData(v))
	}
	return nil
}

func article(t string) string {
	if t == "int" {
		return "an int"
	}
	return "a " + t
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// describeData names plain data's type for messages.
func describeData(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", clip(x))
	case bool:
		return "a bool"
	case int, int64:
		return "an integer"
	case float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}
