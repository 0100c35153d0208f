package engine

import (
	"reflect"
	"strings"
)

// ShapeKind is the JSON type a Shape describes.
type ShapeKind string

// The kinds of Shape. Timestamps are strings (RFC 3339), enums strings with
// Enum set, and durations strings in Go syntax.
const (
	AnyShape    ShapeKind = "any"
	StringShape ShapeKind = "string"
	IntShape    ShapeKind = "int"
	FloatShape  ShapeKind = "float"
	BoolShape   ShapeKind = "bool"
	ListShape   ShapeKind = "list"
	MapShape    ShapeKind = "map"
	ObjectShape ShapeKind = "object"
)

// Shape is the type of data as a runbook author sees it: the JSON form of
// an AWS input or output, a param, a step output. Expressions are checked
// against the Go type that GoType synthesizes from it, and evaluated at run
// time on data of exactly this form.
type Shape struct {
	Kind     ShapeKind     `json:"kind"`
	Name     string        `json:"name,omitempty"` // the SDK type's name, for messages
	Elem     *Shape        `json:"elem,omitempty"` // of a list or map
	Fields   []*ShapeField `json:"fields,omitempty"`
	Enum     []string      `json:"enum,omitempty"`
	Nullable bool          `json:"nullable,omitempty"`
	// derived marks shapes ShapeOf made from SDK types; only those cache
	// their GoType.
	derived bool
}

// ShapeField is one field of an object Shape.
type ShapeField struct {
	Name     string `json:"name"`
	Shape    *Shape `json:"shape"`
	Required bool   `json:"required,omitempty"`
}

// Common shapes.
var (
	Any     = &Shape{Kind: AnyShape}
	Str     = &Shape{Kind: StringShape}
	Integer = &Shape{Kind: IntShape}
	Number  = &Shape{Kind: FloatShape}
	Boolean = &Shape{Kind: BoolShape}
)

// ListOf returns the shape of a list of elem.
func ListOf(elem *Shape) *Shape { return &Shape{Kind: ListShape, Elem: elem} }

// MapOf returns the shape of a map from strings to elem.
func MapOf(elem *Shape) *Shape { return &Shape{Kind: MapShape, Elem: elem} }

// Object returns an object shape with the given fields.
func Object(fields ...*ShapeField) *Shape { return &Shape{Kind: ObjectShape, Fields: fields} }

// Field returns the field called name, or nil.
func (s *Shape) Field(name string) *ShapeField {
	if s == nil {
		return nil
	}
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// FieldNames lists the names of an object's fields.
func (s *Shape) FieldNames() []string {
	var out []string
	for _, f := range s.Fields {
		out = append(out, f.Name)
	}
	return out
}

// String names the shape for messages: "string", "list of int",
// "object DBCluster".
func (s *Shape) String() string {
	if s == nil {
		return "any"
	}
	switch s.Kind {
	case ListShape:
		return "list of " + s.Elem.String()
	case MapShape:
		return "map of " + s.Elem.String()
	case ObjectShape:
		if s.Name != "" {
			return "object " + s.Name
		}
		return "object"
	case StringShape:
		if len(s.Enum) > 0 {
			return "string (one of " + strings.Join(s.Enum, ", ") + ")"
		}
	}
	return string(s.Kind)
}

var goTypes = map[ShapeKind]reflect.Type{
	AnyShape:    reflect.TypeOf((*any)(nil)).Elem(),
	StringShape: reflect.TypeOf(""),
	IntShape:    reflect.TypeOf(0),
	FloatShape:  reflect.TypeOf(0.0),
	BoolShape:   reflect.TypeOf(false),
}
