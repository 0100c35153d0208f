package ssm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// segment is one step of a JSONPath selector: a field, an index, every
// element ([*] or ..), or a filter ([?(@.F == 'v')]).
type segment struct {
	field  string
	index  string // "0", "-1"
	all    bool
	deep   bool   // all written `..`: the rest may be found at any depth
	filter string // the filter's expression over # (the element)
}

// parseSelector splits a JSONPath selector ($.A.B[0]..C, $.A['b.c']) into
// segments.
func parseSelector(sel string) ([]segment, error) {
	s := strings.TrimSpace(sel)
	s = strings.TrimPrefix(s, "$")
	var segs []segment
	for s != "" {
		switch {
		case strings.HasPrefix(s, ".."):
			segs = append(segs, segment{all: true, deep: true})
			s = s[2:]
			name, rest := cutName(s)
			if name == "" {
				return nil, fmt.Errorf("selector %q: a name must follow `..`", sel)
			}
			segs = append(segs, segment{field: name})
			s = rest
		case strings.HasPrefix(s, ".'") || strings.HasPrefix(s, "['") || strings.HasPrefix(s, `["`):
			q := s[1]
			if s[0] == '[' {
				q = s[1]
			}
			start := 2
			end := strings.IndexByte(s[start:], q)
			if end < 0 {
				return nil, fmt.Errorf("selector %q: unterminated quoted name", sel)
			}
			segs = append(segs, segment{field: s[start : start+end]})
			s = s[start+end+1:]
			if s != "" && s[0] == ']' {
				s = s[1:]
			}
		case s[0] == '.':
			name, rest := cutName(s[1:])
			if name == "" {
				return nil, fmt.Errorf("selector %q: a name must follow `.`", sel)
			}
			segs = append(segs, segment{field: name})
			s = rest
		case strings.HasPrefix(s, "[?("):
			end := strings.Index(s, ")]")
			if end < 0 {
				return nil, fmt.Errorf("selector %q: unterminated filter", sel)
			}
			f, err := filterExpr(s[3:end])
			if err != nil {
				return nil, fmt.Errorf("selector %q: %v", sel, err)
			}
			segs = append(segs, segment{filter: f})
			s = s[end+2:]
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("selector %q: unterminated [", sel)
			}
			in := strings.TrimSpace(s[1:end])
			if in == "*" {
				segs = append(segs, segment{all: true})
			} else if _, err := strconv.Atoi(in); err == nil {
				segs = append(segs, segment{index: in})
			} else {
				return nil, fmt.Errorf("selector %q: unsupported index [%s]", sel, in)
			}
			s = s[end+1:]
		default:
			name, rest := cutName(s)
			if name == "" {
				return nil, fmt.Errorf("selector %q: unexpected %q", sel, s)
			}
			segs = append(segs, segment{field: name})
			s = rest
		}
	}
	return segs, nil
}

func cutName(s string) (string, string) {
	i := strings.IndexAny(s, ".[")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// filterExpr translates a filter's body, @.F == 'v' (or !=), into an
// expression over the element #.
func filterExpr(body string) (string, error) {
	for _, op := range []string{"==", "!="} {
		l, r, ok := strings.Cut(body, op)
		if !ok {
			continue
		}
		l, r = strings.TrimSpace(l), strings.TrimSpace(r)
		if !strings.HasPrefix(l, "@.") {
			break
		}
		r = strings.Trim(r, `'"`)
		return "#." + l[2:] + " " + op + " " + strconv.Quote(r), nil
	}
	return "", fmt.Errorf("unsupported filter %q", body)
}

// selectorExpr writes the segments as an expression over base. Field
// names are matched, case-insensitively, against t (the Go type base
// holds; nil when unknown) so that boto3's names become the SDK's. Each
// [*] or .. maps the rest of the path over the list; more than one
// flattens the result.
func selectorExpr(base string, t reflect.Type, segs []segment) (string, error) {
	e, n, err := pathExpr(base, t, segs)
	if n > 1 {
		return "flatten(" + e + ")", err
	}
	return e, err
}

// pathExpr writes segs over base and counts the lists mapped over. A
// field the Go type lacks is an error: boto3's ResponseMetadata (but
// HTTPStatusCode, 200 after any call that succeeded) and the SDK's
// renamings.
func pathExpr(base string, t reflect.Type, segs []segment) (string, int, error) {
	if len(segs) == 2 && segs[0].field == "ResponseMetadata" && segs[1].field == "HTTPStatusCode" && t != nil {
		return "200", 0, nil
	}
	e := base
	for i, sg := range segs {
		switch {
		case sg.field != "":
			if !hasField(t, sg.field) {
				if sg.field == "ResponseMetadata" {
					return "", 0, unsupported("selector reads boto3's ResponseMetadata, which the SDK output does not carry", pathText(segs))
				}
				return "", 0, &absentError{field: sg.field}
			}
			name, ft := goField(t, sg.field)
			if isIdent(name) {
				if e == "#" {
					e = "#." + name
				} else {
					e += "." + name
				}
			} else {
				e += "[" + strconv.Quote(name) + "]"
			}
			t = ft
		case sg.index != "":
			e += "[" + sg.index + "]"
			t = elemType(t)
		case sg.deep && i+1 < len(segs) && segs[i+1].field != "" && t != nil:
			// ..name: the one path to name that the output type gives.
			path, err := deepSegments(t, segs[i+1].field)
			if err != nil {
				return "", 0, err
			}
			rest := append(append([]segment{}, path...), segs[i+2:]...)
			return pathExpr(e, t, rest)
		case sg.all || sg.filter != "":
			list := e
			if sg.filter != "" {
				list = "filter(" + e + ", " + fixFilterNames(sg.filter, elemType(t)) + ")"
			}
			inner, n, err := pathExpr("#", elemType(t), segs[i+1:])
			if inner == "#" {
				return list, n + 1, err
			}
			return "map(" + list + ", " + inner + ")", n + 1, err
		}
	}
	return e, 0, nil
}

// fixFilterNames renames the field of a filter ("#.f == ...") as the Go type
// names it.
func fixFilterNames(f string, t reflect.Type) string {
	rest := strings.TrimPrefix(f, "#.")
	name, tail, _ := strings.Cut(rest, " ")
	g, _ := goField(t, name)
	return "#." + g + " " + tail
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// absentError is a selector naming a field the output type lacks. The SDK
// and boto3 take their names from the same API models, so SSM finds
// nothing there either.
type absentError struct{ field string }

func (e *absentError) Error() string {
	return "selector names a field the SDK output lacks: " + e.field
}

// Unwrap reports it as a reason when it is not handled.
func (e *absentError) Unwrap() error {
	return unsupported("selector names a field the SDK output lacks", e.field)
}
