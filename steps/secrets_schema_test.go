package steps

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	smithy "github.com/aws/smithy-go"
	smithytraits "github.com/aws/smithy-go/traits"
)

// sdkSerializable is an output with schema-based serialization: its
// Serialize starts with WriteStruct of the output's schema.
type sdkSerializable interface {
	Serialize(smithy.ShapeSerializer)
}

// schemaProbe is a ShapeSerializer that keeps the first struct schema it
// is given and stops the serialization there (by panicking with itself).
type schemaProbe struct {
	smithy.ShapeSerializer // nil: no other method is called
	schema                 *smithy.Schema
}

// WriteStruct keeps s and stops.
func (p *schemaProbe) WriteStruct(s *smithy.Schema) {
	p.schema = s
	panic(p)
}

// outputSchema returns the smithy schema of output type out (nil for an
// output without members), and false when its module has no schemas (it
// is not yet migrated to schema-based serialization).
func outputSchema(out reflect.Type) (s *smithy.Schema, ok bool) {
	v, ok := reflect.New(out).Interface().(sdkSerializable)
	if !ok {
		return nil, false
	}
	p := &schemaProbe{}
	defer func() {
		if r := recover(); r != nil && r != p {
			panic(r)
		}
		s = p.schema
	}()
	v.Serialize(p)
	return nil, true
}

// sdkSchemaSecrets lists the paths (smithy member names, "[]" for the
// elements of a list, "{}" for the values of a map) to the sensitive
// members of output type out, and whether out has a schema at all.
func sdkSchemaSecrets(out reflect.Type) ([][]string, bool) {
	s, ok := outputSchema(out)
	if s == nil {
		return nil, ok
	}
	var paths [][]string
	walkSchema(s, nil, map[smithy.ShapeID]bool{}, func(p []string) {
		paths = append(paths, p)
	})
	return paths, true
}

// walkSchema calls emit with the path of every sensitive member under s:
// every member with the sensitive trait (on itself or its target), not
// what is inside it, nor streams. seen holds the shapes on the current path, so that
// recursive shapes end.
func walkSchema(s *smithy.Schema, path []string, seen map[smithy.ShapeID]bool, emit func([]string)) {
	if _, ok := smithy.SchemaTrait[*smithytraits.Streaming](s); ok {
		return // a stream: no data (see engine.ToData)
	}
	if _, ok := smithy.SchemaTrait[*smithytraits.Sensitive](s); ok && len(path) > 0 {
		emit(path)
		return
	}
	id := s.TargetID()
	if id == (smithy.ShapeID{}) {
		id = s.ID()
	}
	switch s.Type() {
	case smithy.ShapeTypeStructure, smithy.ShapeTypeUnion:
		if seen[id] {
			return
		}
		seen[id] = true
		defer delete(seen, id)
		names := make([]string, 0, len(s.Members()))
		for n := range s.Members() {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			walkSchema(s.Member(n), append(path[:len(path):len(path)], n), seen, emit)
		}
	case smithy.ShapeTypeList, smithy.ShapeTypeSet:
		if m := s.ListMember(); m != nil {
			walkSchema(m, append(path[:len(path):len(path)], "[]"), seen, emit)
		}
	case smithy.ShapeTypeMap:
		if m := s.MapValue(); m != nil {
			walkSchema(m, append(path[:len(path):len(path)], "{}"), seen, emit)
		}
	}
}

// sdkGoPath turns a path of model member names into the path of Go field
// names that ToData gives the same value (the form of secretFields),
// checking it against output type out. A union's members are named by
// their Go type's suffix (see engine.ToData).
func sdkGoPath(out reflect.Type, path []string) (string, error) {
	t := out
	var goPath []string
	for _, e := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case e == "[]" && t.Kind() == reflect.Slice, e == "{}" && t.Kind() == reflect.Map:
			t = t.Elem()
		case t.Kind() == reflect.Struct:
			f, ok := t.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, e) })
			if !ok || !f.IsExported() {
				return "", fmt.Errorf("%s has no field %s", t, e)
			}
			t, e = f.Type, f.Name
		case t.Kind() == reflect.Interface:
			// A union: its member's value type is not known here.
			e = strings.ToUpper(e[:1]) + e[1:]
		default:
			return "", fmt.Errorf("%s at %s: not a struct, list or map", t, e)
		}
		goPath = append(goPath, e)
	}
	return strings.Join(goPath, "."), nil
}
