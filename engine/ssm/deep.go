package ssm

import (
	"reflect"
	"strings"
)

// deepLimit bounds how far a recursive `..` selector is followed into an
// output type (the SDK's types may refer to themselves).
const deepLimit = 8

// deepPaths finds where a recursive `..name` reaches in Go type t: the
// paths (fields, and [*] over lists) from t to a field matching name,
// the shallowest first. Map values and the SDK's bookkeeping are not
// entered; a type already on the path is not entered again.
func deepPaths(t reflect.Type, name string) [][]segment {
	var out [][]segment
	var walk func(t reflect.Type, path []segment, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, path []segment, seen map[reflect.Type]bool) {
		t = deref(t)
		if t == nil || len(path) > deepLimit || seen[t] {
			return
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			if t.Elem().Kind() != reflect.Uint8 {
				walk(t.Elem(), append(path[:len(path):len(path)], segment{all: true}), seen)
			}
		case reflect.Struct:
			seen[t] = true
			defer delete(seen, t)
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() || isMeta(f.Type) {
					continue
				}
				p := append(path[:len(path):len(path)], segment{field: f.Name})
				if strings.EqualFold(f.Name, name) {
					out = append(out, p)
					continue
				}
				walk(f.Type, p, seen)
			}
		}
	}
	walk(t, nil, map[reflect.Type]bool{})
	return out
}

// isMeta reports the SDK's bookkeeping types (an output's ResultMetadata,
// the document marker), which are not part of the data.
func isMeta(t reflect.Type) bool {
	p := t.PkgPath()
	return strings.HasPrefix(p, "github.com/aws/smithy-go/middleware") || strings.HasPrefix(p, "github.com/aws/smithy-go/document")
}

// deepSegments rewrites a recursive `..name` over type t as the one path
// the output type gives it. A direct field (or a field of each element)
// is that path, as before; otherwise the field must be found at exactly
// one place below.
func deepSegments(t reflect.Type, name string) ([]segment, error) {
	d := deref(t)
	if d == nil {
		return []segment{{all: true}, {field: name}}, nil
	}
	if d.Kind() == reflect.Struct && hasField(d, name) {
		return []segment{{field: name}}, nil
	}
	if e := deref(elemType(d)); e != nil && e.Kind() == reflect.Struct && hasField(e, name) && d.Kind() != reflect.Map {
		return []segment{{all: true}, {field: name}}, nil
	}
	paths := deepPaths(d, name)
	switch len(paths) {
	case 0:
		return nil, unsupported("selector names a field the SDK output lacks", name)
	case 1:
		return paths[0], nil
	}
	var where []string
	for _, p := range paths {
		where = append(where, pathText(p))
	}
	return nil, unsupported("recursive `..` selector matches several fields", name+": "+strings.Join(where, ", "))
}

// pathText writes segments as JSONPath, for reports.
func pathText(segs []segment) string {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range segs {
		switch {
		case s.field != "":
			b.WriteString("." + s.field)
		case s.all:
			b.WriteString("[*]")
		case s.index != "":
			b.WriteString("[" + s.index + "]")
		}
	}
	return b.String()
}
