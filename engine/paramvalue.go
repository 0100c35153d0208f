package engine

import (
	"fmt"
	"regexp"
	"strings"
)

// One value against one param declaration: its type, enum, pattern and
// bounds, and the shape of its values.

// Shape is the shape of the param's values.
func (p *PlanParam) Shape() *Shape {
	pr := &Param{Type: Ident{Name: p.Type}}
	if p.Items != "" {
		pr.Items = &Ident{Name: p.Items}
	}
	return paramShape(pr)
}

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
