package ssm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// deref strips pointers.
func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// goField finds the field of struct type t named name, ignoring case (boto3
// spells eks's cluster.status, the SDK Cluster.Status). Without a match,
// or when t is not a struct, the name is kept with its first letter
// upper-cased for structs and as is otherwise; the type is nil.
func goField(t reflect.Type, name string) (string, reflect.Type) {
	t = deref(t)
	if t == nil {
		return name, nil
	}
	switch t.Kind() {
	case reflect.Struct:
		// The SDK renames a few members (DescribeFlowLogs' Filter is
		// boto3's Filters): try the plural and the singular too.
		for _, n := range []string{name, name + "s", strings.TrimSuffix(name, "s")} {
			for i := range t.NumField() {
				f := t.Field(i)
				if f.IsExported() && strings.EqualFold(f.Name, n) {
					return f.Name, f.Type
				}
			}
		}
		return upperFirst(name), nil
	case reflect.Map:
		return name, t.Elem()
	}
	return name, nil
}

// hasField reports whether t is not a struct (so any name may do) or has
// a field matching name.
func hasField(t reflect.Type, name string) bool {
	t = deref(t)
	if t == nil || t.Kind() != reflect.Struct {
		return true
	}
	_, ft := goField(t, name)
	return ft != nil
}

// elemType is the element type of a list (or map) type; nil otherwise.
func elemType(t reflect.Type) reflect.Type {
	t = deref(t)
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
		return t.Elem()
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// conform shapes translated input data v for Go type t: field names as
// the SDK spells them, numbers and booleans given as strings parsed, a
// single value where a list is wanted wrapped in one, and a reference of
// another kind converted in its expression. kinds gives the kind of each
// whole-value ${{ }} reference.
func (t *translator) conform(v any, typ reflect.Type) any {
	typ = deref(typ)
	if typ == nil {
		return v
	}
	switch typ.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			name, ft := goField(typ, k)
			out[name] = t.conform(e, ft)
		}
		return out
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = t.conform(e, typ.Elem())
		}
		return out
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 {
			if s, ok := v.(string); ok {
				return t.convert(s, "base64")
			}
			return v
		}
		switch v := v.(type) {
		case []any:
			if len(v) == 1 {
				// SSM expands ["{{ AList }}"] to the list.
				if s, ok := v[0].(string); ok && t.kindOf(s) == "list" {
					return s
				}
			}
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = t.conform(e, typ.Elem())
			}
			return out
		case string:
			e, _ := wholeExpr(v)
			switch k, known := t.kinds[e]; {
			case known && k == "any":
				// SSM takes a one-item list for a single value.
				return "${{ " + asList(e) + " }}"
			case t.kindOf(v) == "list" || t.kindOf(v) == "any":
				return v
			}
		}
		return []any{t.conform(v, typ.Elem())}
	case reflect.String:
		switch v := v.(type) {
		case bool:
			return strconv.FormatBool(v)
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			switch k := t.kindOf(v); k {
			case "", "string", "any", "map":
			case "list":
				// SSM takes a one-item list for a single value.
				e, _ := wholeExpr(v)
				return "${{ " + e + "[0] }}"
			default:
				return t.convert(v, "string")
			}
		case []any:
			// SSM takes a one-item list for a single value.
			if len(v) == 1 {
				return t.conform(v[0], typ)
			}
		case map[string]any:
			// A map given for text (a command's StringMap parameter)
			// goes as its JSON.
			return "${{ toJSON(" + valueExpr(v) + ") }}"
		}
	case reflect.Bool:
		if s, ok := v.(string); ok {
			if b, err := strconv.ParseBool(s); err == nil {
				return b
			}
			if k := t.kindOf(s); k == "string" {
				return t.convert(s, "bool")
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := v.(string); ok {
			if n, err := strconv.Atoi(s); err == nil {
				return n
			}
			if k := t.kindOf(s); k == "string" {
				return t.convert(s, "int")
			}
		}
	case reflect.Float32, reflect.Float64:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				return n
			}
		}
	}
	return v
}

// asList is the value of e as a list: itself when it is one (or nil),
// else a one-item list.
func asList(e string) string {
	return `(type(` + e + `) in ["array", "nil"] ? ` + e + " : [" + e + "])"
}

// kindOf is the kind of a translated text that is exactly one ${{ }}
// ("" for other text).
func (t *translator) kindOf(s string) refKind {
	e, ok := wholeExpr(s)
	if !ok {
		return ""
	}
	if k, ok := t.kinds[e]; ok {
		return k
	}
	return "any"
}

// wholeExpr returns the expression of a text that is exactly one ${{ }}.
func wholeExpr(s string) (string, bool) {
	if !strings.HasPrefix(s, "${{") || !strings.HasSuffix(s, "}}") || strings.Count(s, "${{") != 1 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-2]), true
}

// convert rewrites a text for another kind: a whole reference through a
// conversion function, other text as it is.
func (t *translator) convert(s, to string) string {
	e, ok := wholeExpr(s)
	if !ok {
		if to == "base64" {
			return "${{ toBase64(" + textExpr(s) + ") }}"
		}
		return s
	}
	switch to {
	case "string":
		return "${{ string(" + e + ") }}"
	case "bool":
		return "${{ " + e + ` == "true" }}`
	case "int":
		return "${{ int(" + e + ") }}"
	case "base64":
		return "${{ toBase64(string(" + e + ")) }}"
	}
	return s
}

// textExpr writes a translated text (literal parts and ${{ }}
// interpolations) as one string expression.
func textExpr(s string) string {
	var parts []string
	for s != "" {
		i := strings.Index(s, "${{")
		if i < 0 {
			parts = append(parts, strconv.Quote(s))
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			parts = append(parts, strconv.Quote(s))
			break
		}
		if i > 0 {
			parts = append(parts, strconv.Quote(s[:i]))
		}
		parts = append(parts, "string("+strings.TrimSpace(s[i+3:i+j])+")")
		s = s[i+j+2:]
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " + ")
}

// toString writes a scalar as SSM compares it.
func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// valueExpr writes translated data (texts with ${{ }}) as one expression.
func valueExpr(v any) string {
	switch v := v.(type) {
	case string:
		if e, ok := wholeExpr(v); ok {
			return "(" + e + ")"
		}
		return textExpr(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = valueExpr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		e, _ := objectExpr(v, func(e any) (string, error) { return valueExpr(e), nil })
		return e
	case nil:
		return "nil"
	}
	return toString(v)
}
