package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ParseParam parses a command-line value (-p Key=Value) by the param's
// declared type: numbers and bools as such, lists comma-separated or a
// JSON array, maps a JSON object, strings and durations as given.
func ParseParam(p *PlanParam, s string) (any, error) {
	switch p.Type {
	case "int":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %q", s)
		}
		return int(n), nil
	case "float":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", s)
		}
		return f, nil
	case "bool":
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("want true or false, got %q", s)
		}
		return b, nil
	case "list":
		if strings.HasPrefix(strings.TrimSpace(s), "[") {
			var list []any
			if err := json.Unmarshal([]byte(s), &list); err != nil {
				return nil, fmt.Errorf("want a JSON array or comma-separated values: %v", err)
			}
			return list, nil
		}
		item := &PlanParam{Type: p.Items}
		if item.Type == "" {
			item.Type = "string"
		}
		var out []any
		for _, part := range strings.Split(s, ",") {
			v, err := ParseParam(item, strings.TrimSpace(part))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "map":
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("want a JSON object: %v", err)
		}
		return m, nil
	}
	return s, nil
}

// CheckParams checks the params given for an execution against the plan's
// declarations (unknown, missing, type, pattern, enum, min, max) and
// returns them typed, defaults filled in. The error lists every problem,
// in a stable order (the workflow checks a child's params with it).
//
//workflowcheck:ignore
func CheckParams(p *Plan, given map[string]any) (map[string]any, error) {
	return checkValues(p.Params, given, "param", p.Name+" takes")
}

// CheckAnswer checks an answer to an ask step's fields as CheckParams
// checks params: every problem, defaults filled in, values typed.
//
//workflowcheck:ignore
func CheckAnswer(fields []*PlanParam, given map[string]any) (map[string]any, error) {
	typed := make(map[string]any, len(given))
	var problems []string
	for k, v := range given {
		typed[k] = v
		for _, f := range fields {
			if s, ok := v.(string); ok && f.Name == k && f.Type != "string" && f.Type != "duration" {
				x, err := ParseParam(f, s)
				if err != nil {
					problems = append(problems, fmt.Sprintf("field %s: %v", k, err))
				}
				typed[k] = x
			}
		}
	}
	out, err := checkValues(fields, typed, "field", "the question has")
	if len(problems) == 0 {
		return out, err
	}
	if err != nil { // every problem once: a value that did not parse says so
		for _, line := range strings.Split(err.Error(), "\n") {
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "field "), ":")
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, "field "+name+":") }) {
				problems = append(problems, line)
			}
		}
	}
	sort.Strings(problems)
	return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
}

//workflowcheck:ignore
func checkValues(decls []*PlanParam, given map[string]any, what, takes string) (map[string]any, error) {
	out := map[string]any{}
	var problems []string
	declared := map[string]bool{}
	var names []string
	for _, pp := range decls {
		declared[pp.Name] = true
		names = append(names, pp.Name)
		v, ok := given[pp.Name]
		if !ok {
			if pp.Required {
				problems = append(problems, fmt.Sprintf("missing %s %s (%s%s)", what, pp.Name, pp.Type, describeParam(pp)))
				continue
			}
			v = pp.Default
		}
		v = Coerce(v, pp.Shape())
		if err := ParamValue(paramOf(pp), v, nil); err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", what, pp.Name, err))
			continue
		}
		out[pp.Name] = v
	}
	var unknown []string
	for k := range given {
		if !declared[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		msg := fmt.Sprintf("unknown %s %s", what, k)
		if h := DidYouMean(k, names); h != "" {
			msg += "; " + h
		} else if len(names) > 0 {
			msg += "; " + takes + " " + strings.Join(names, ", ")
		}
		problems = append(problems, msg)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return out, nil
}

func describeParam(pp *PlanParam) string {
	if pp.Description != "" {
		return ": " + pp.Description
	}
	return ""
}

// paramOf rebuilds a Param declaration from the plan's, for ParamValue.
func paramOf(pp *PlanParam) *Param {
	p := &Param{Name: Ident{Name: pp.Name}, Type: Ident{Name: pp.Type}, Min: pp.Min, Max: pp.Max}
	if pp.Items != "" {
		p.Items = &Ident{Name: pp.Items}
	}
	if pp.Pattern != "" {
		p.Pattern = &Value{Kind: String, Str: pp.Pattern}
	}
	for _, e := range pp.Enum {
		p.Enum = append(p.Enum, dataValue(e))
	}
	return p
}

// dataValue wraps plain data as a literal Value (enum values from a plan).
func dataValue(v any) *Value {
	switch x := v.(type) {
	case string:
		return &Value{Kind: String, Str: x}
	case bool:
		return &Value{Kind: Bool, Bool: x}
	case int:
		return &Value{Kind: Int, Int: int64(x)}
	case int64:
		return &Value{Kind: Int, Int: x}
	case float64:
		if x == float64(int64(x)) {
			return &Value{Kind: Int, Int: int64(x)}
		}
		return &Value{Kind: Float, Float: x}
	}
	return &Value{Kind: Null}
}
