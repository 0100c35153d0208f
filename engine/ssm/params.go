package ssm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// paramTypes maps SSM parameter types to v1 types (and list item types).
var paramTypes = map[string][2]string{
	"String":     {"string", ""},
	"Integer":    {"int", ""},
	"Boolean":    {"bool", ""},
	"StringList": {"list", ""},
	"StringMap":  {"map", ""},
	"MapList":    {"list", "map"},
}

// declareParams translates the document's parameters: AWS::* types are
// strings; allowedValues become enum and allowedPattern pattern when RE2
// accepts it and the default satisfies it.
func declareParams(ps map[string]*parameter) (map[string]*param, *orderedMap, error) {
	names := make([]string, 0, len(ps))
	for n := range ps {
		names = append(names, n)
	}
	sort.Strings(names)
	out := map[string]*param{}
	om := &orderedMap{}
	for _, n := range names {
		sp := ps[n]
		if sp == nil {
			return nil, nil, fmt.Errorf("parameter %s has no declaration", n)
		}
		name := n
		if !isIdent(n) {
			// v1 names params as identifiers: 4xxAlarmName is p4xxAlarmName.
			name = "p" + strings.TrimPrefix(stepName(n), "s")
			if _, taken := ps[name]; taken {
				return nil, nil, unsupported("parameter name not usable in expressions", n)
			}
		}
		ty, ok := paramTypes[sp.Type]
		if !ok {
			if len(sp.Type) > 5 && sp.Type[:5] == "AWS::" {
				ty = [2]string{"string", ""}
			} else {
				return nil, nil, fmt.Errorf("parameter %s has unknown type %q", n, sp.Type)
			}
		}
		p := &param{name: name, Type: ty[0], Items: ty[1], Description: sp.Description}
		if name != n {
			p.Description = joinText(sp.Description, "SSM names this parameter "+n)
		}
		if refDefault(sp) {
			p.Description = joinText(p.Description, "Left at this default, its references are resolved when the run starts")
		} else if b, _ := json.Marshal(sp.Default); sp.Default != nil && refPattern.Match(b) {
			return nil, nil, unsupported("a parameter default that is not a string holds references", n)
		}
		p.hasDefault = sp.Default != nil
		p.Default = defaultValue(sp.Default, p.Type)
		if sp.AllowedPattern != "" && (p.Type == "string" || p.Type == "list" && p.Items == "") {
			p.Pattern = fitPattern(sp.AllowedPattern, p.Default, p.hasDefault)
		}
		if len(sp.AllowedValues) > 0 && p.Type == "string" {
			p.Enum = enumWith(sp.AllowedValues, p.Default, p.hasDefault)
		}
		out[n] = p
		om.set(name, p.node())
	}
	return out, om, nil
}

// node writes the param with its default even when it is a zero value.
func (p *param) node() *orderedMap {
	m := &orderedMap{}
	m.set("type", p.Type)
	if p.Items != "" {
		m.set("items", p.Items)
	}
	if p.Description != "" {
		m.set("description", p.Description)
	}
	if p.hasDefault {
		m.set("default", p.Default)
	}
	if len(p.Enum) > 0 {
		m.set("enum", p.Enum)
	}
	if p.Pattern != "" {
		m.set("pattern", p.Pattern)
	}
	return m
}

// defaultValue converts an SSM default to the v1 type (SSM writes
// Integer and Boolean defaults as strings at times).
func defaultValue(v any, ty string) any {
	s, ok := v.(string)
	switch {
	case ty == "int" && ok:
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	case ty == "int":
		if f, ok := v.(float64); ok && f == float64(int(f)) {
			return int(f)
		}
	case ty == "bool" && ok:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case ty == "list" && ok && s == "":
		return []any{}
	case ty == "map" && ok && s == "":
		return map[string]any{}
	}
	return v
}

// fitPattern keeps an allowedPattern RE2 can compile, widened to accept
// the default when the default breaks it (SSM checks only given values);
// "" drops it.
func fitPattern(pat string, def any, hasDefault bool) string {
	re, err := regexp.Compile(pat)
	if err != nil {
		return ""
	}
	if !hasDefault {
		return pat
	}
	var vals []string
	switch d := def.(type) {
	case string:
		vals = []string{d}
	case []any:
		for _, e := range d {
			s, ok := e.(string)
			if !ok {
				return ""
			}
			vals = append(vals, s)
		}
	default:
		return ""
	}
	for _, v := range vals {
		if !re.MatchString(v) {
			if v != "" {
				return ""
			}
			return "^$|" + "(?:" + pat + ")"
		}
	}
	return pat
}

// enumWith is the allowed values, strings, with the default among them.
func enumWith(vals []any, def any, hasDefault bool) []any {
	out := make([]any, 0, len(vals)+1)
	found := !hasDefault
	for _, v := range vals {
		s := fmt.Sprint(v)
		out = append(out, s)
		if s == fmt.Sprint(def) {
			found = true
		}
	}
	if !found {
		out = append(out, fmt.Sprint(def))
	}
	return out
}
