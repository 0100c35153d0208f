package engine

import (
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

var goTypeCache sync.Map // *Shape -> reflect.Type

// GoType returns a Go type that expr-lang/expr can type-check expressions
// against for data of shape s: an object is a struct with the shape's field
// names (a name that is not an exported Go identifier gets a generated one
// and the tag `expr:"name"`), a scalar its Go type, a list a slice, a map a
// map[string]T, Any an interface{}. A nullable shape is checked as its
// element: expr lets any value be compared with nil and used with ?. and
// ??, while a pointer would break predicates (filter(list, .IsWriter) on
// a *bool) and bool contexts (if, until). At run time expressions see plain
// data (see ToData) of the same form. Types are cached per shape.
func (s *Shape) GoType() reflect.Type {
	return s.goType(map[*Shape]bool{}, nil)
}

// goTypeIn is GoType with a cache for shapes that are not the SDK's: a
// checker keeps one per definition, so that each of its shapes is
// synthesized once, and forgets it with the definition.
func (s *Shape) goTypeIn(local map[*Shape]reflect.Type) reflect.Type {
	return s.goType(map[*Shape]bool{}, local)
}

func (s *Shape) goType(open map[*Shape]bool, local map[*Shape]reflect.Type) reflect.Type {
	if s == nil || open[s] {
		return goTypes[AnyShape]
	}
	if t, ok := local[s]; ok {
		return t
	}
	if t, ok := goTypeCache.Load(s); ok {
		return t.(reflect.Type)
	}
	open[s] = true
	defer delete(open, s)
	var t reflect.Type
	switch s.Kind {
	case ListShape:
		t = reflect.SliceOf(s.Elem.goType(open, local))
	case MapShape:
		t = reflect.MapOf(goTypes[StringShape], s.Elem.goType(open, local))
	case ObjectShape:
		t = s.structType(open, local)
	default:
		t = goTypes[s.Kind]
		if t == nil {
			t = goTypes[AnyShape]
		}
	}
	if !s.derived {
		if local != nil {
			local[s] = t
		}
		return t // a definition's own shape: not cached globally, so nothing leaks
	}
	v, _ := goTypeCache.LoadOrStore(s, t)
	return v.(reflect.Type)
}

func (s *Shape) structType(open map[*Shape]bool, local map[*Shape]reflect.Type) reflect.Type {
	taken := map[string]bool{}
	for _, f := range s.Fields {
		if goTypeExported(f.Name) {
			taken[f.Name] = true
		}
	}
	seen := map[string]bool{}
	var fields []reflect.StructField
	for _, f := range s.Fields {
		if f == nil || seen[f.Name] {
			continue
		}
		seen[f.Name] = true
		sf := reflect.StructField{Name: f.Name, Type: f.Shape.goType(open, local)}
		if !goTypeExported(f.Name) {
			sf.Name = goFieldName(f.Name, taken)
			sf.Tag = reflect.StructTag(`expr:` + strconv.Quote(f.Name))
		}
		fields = append(fields, sf)
	}
	return reflect.StructOf(fields)
}

func goTypeExported(name string) bool {
	return token.IsIdentifier(name) && token.IsExported(name)
}

// goFieldName makes an exported Go identifier, not yet taken, for name.
func goFieldName(name string, taken map[string]bool) string {
	var b strings.Builder
	b.WriteString("X")
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	base := b.String()
	out := base
	for i := 2; taken[out]; i++ {
		out = base + strconv.Itoa(i)
	}
	taken[out] = true
	return out
}
