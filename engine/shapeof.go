package engine

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxShapeDepth bounds how deep ShapeOf follows nested types: deeper types,
// and a type met again inside itself, are Any.
const maxShapeDepth = 12

// shapeNoCut is what shapeBuilder.build reports for a subtree nothing in
// which was cut short.
const shapeNoCut = maxShapeDepth + 1

var (
	shapeCache    sync.Map // reflect.Type -> *Shape
	shapeTimeType = reflect.TypeFor[time.Time]()
)

// ShapeOf returns the shape a runbook author sees for values of t: the JSON
// form of an aws-sdk-go-v2 type (or of plain Go data, such as the result
// types expr infers). Structs are objects with one field per exported field,
// pointers are nullable, enums (string types with a Values method) are
// strings with Enum set, time.Time is an RFC 3339 string, []byte a base64
// string, interfaces (documents, unions) are Any; a field tagged
// `expr:"name"` (as in the types GoType makes) is called name. Shapes are
// cached per type and must not be modified; recursive types are cut to Any.
func ShapeOf(t reflect.Type) *Shape {
	if t == nil {
		return Any
	}
	if s, ok := shapeCache.Load(t); ok {
		return s.(*Shape)
	}
	b := shapeBuilder{open: map[reflect.Type]int{}}
	s, _ := b.build(t, 0)
	return s
}

// shapeBuilder derives shapes, remembering the struct types being built
// (at which depth) to cut recursion.
type shapeBuilder struct {
	open map[reflect.Type]int
}

// build returns t's shape and the least depth that a cut inside it refers
// to (shapeNoCut when nothing was cut). A shape is cached only when no cut
// in it depends on a type above it, so a cached shape is t's own.
func (b *shapeBuilder) build(t reflect.Type, depth int) (*Shape, int) {
	if s, ok := shapeCache.Load(t); ok {
		return s.(*Shape), shapeNoCut
	}
	if depth > maxShapeDepth {
		return Any, -1
	}
	if d, ok := b.open[t]; ok {
		return Any, d
	}
	s, cut := b.make(t, depth)
	s.derived = true
	if cut >= depth {
		v, _ := shapeCache.LoadOrStore(t, s)
		s = v.(*Shape)
	}
	return s, cut
}

func (b *shapeBuilder) make(t reflect.Type, depth int) (*Shape, int) {
	switch {
	case t == shapeTimeType:
		return Str, shapeNoCut
	case isDocumentType(t):
		return Any, shapeNoCut
	}
	switch t.Kind() {
	case reflect.Pointer:
		es, cut := b.build(t.Elem(), depth)
		s := *es
		s.Nullable = true
		return &s, cut
	case reflect.Struct:
		return b.object(t, depth)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return Str, shapeNoCut
		}
		es, cut := b.build(t.Elem(), depth+1)
		return ListOf(es), cut
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return Any, shapeNoCut
		}
		es, cut := b.build(t.Elem(), depth+1)
		return MapOf(es), cut
	case reflect.String:
		if enum := sdkEnumValues(t); enum != nil {
			return &Shape{Kind: StringShape, Name: t.Name(), Enum: enum}, shapeNoCut
		}
		return Str, shapeNoCut
	case reflect.Bool:
		return Boolean, shapeNoCut
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return Integer, shapeNoCut
	case reflect.Float32, reflect.Float64:
		return Number, shapeNoCut
	}
	if t.Kind() == reflect.Interface {
		u, err := unionOf(t, nil)
		if err != nil && findCarriers(t) {
			u, err = unionOf(t, nil)
		}
		if err == nil {
			return b.union(t, u, depth)
		}
		if unionSource.Load() == nil {
			return Any, -1 // unknown for now: cache nothing that holds it
		}
	}
	return Any, shapeNoCut // documents, unknown unions, funcs, channels
}

// union is the shape of an SDK union (dynamodb's AttributeValue): an object
// with one field per member, of which data sets exactly one ({"S": "x"}).
func (b *shapeBuilder) union(t reflect.Type, u *unionInfo, depth int) (*Shape, int) {
	b.open[t] = depth
	defer delete(b.open, t)
	s := &Shape{Kind: ObjectShape, Name: t.Name()}
	cut := shapeNoCut
	for _, name := range u.names {
		mt := u.members[name]
		if mt.Kind() == reflect.Pointer {
			mt = mt.Elem()
		}
		f, ok := mt.FieldByName("Value")
		if mt.Kind() != reflect.Struct || !ok {
			continue
		}
		fs, c := b.build(f.Type, depth+1)
		cut = min(cut, c)
		s.Fields = append(s.Fields, &ShapeField{Name: name, Shape: fs})
	}
	return s, cut
}

func (b *shapeBuilder) object(t reflect.Type, depth int) (*Shape, int) {
	noteCarrier(t)
	b.open[t] = depth
	defer delete(b.open, t)
	s := &Shape{Kind: ObjectShape, Name: t.Name()}
	cut := shapeNoCut
	for _, f := range dataFields(t) {
		name := f.Name
		switch tag := f.Tag.Get("expr"); tag {
		case "-":
			continue
		case "":
		default:
			name = tag // a struct GoType made
		}
		fs, c := b.build(f.Type, depth+1)
		cut = min(cut, c)
		s.Fields = append(s.Fields, &ShapeField{Name: name, Shape: fs})
	}
	return s, cut
}

// dataFields lists the fields of struct type t that are data: exported,
// and not the SDK's bookkeeping (ResultMetadata, the document marker).
func dataFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || isSDKMeta(f.Type) {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Func, reflect.Chan, reflect.UnsafePointer:
			continue
		}
		out = append(out, f)
	}
	return out
}

// isSDKMeta reports the smithy types that ride along in SDK structs without
// being part of the API's data: middleware.Metadata (an output's
// ResultMetadata) and document.NoSerde.
func isSDKMeta(t reflect.Type) bool {
	switch t.PkgPath() {
	case "github.com/aws/smithy-go/middleware":
		return t.Name() == "Metadata"
	case "github.com/aws/smithy-go/document":
		return t.Name() == "NoSerde"
	}
	return false
}

// isDocumentType reports smithy document types (the document package of
// smithy-go or of a service): open content, so Any.
func isDocumentType(t reflect.Type) bool {
	p := t.PkgPath()
	return p == "github.com/aws/smithy-go/document" ||
		strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2/") && strings.HasSuffix(p, "/document")
}

// sdkEnumValues returns the values of an SDK enum type (a string type with a
// method Values returning a slice of itself), or nil.
func sdkEnumValues(t reflect.Type) []string {
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != reflect.SliceOf(t) {
		return nil
	}
	vs := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	out := make([]string, vs.Len())
	for i := range out {
		out[i] = vs.Index(i).String()
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var (
	unionSource   atomic.Pointer[func(pkgPath string) []reflect.Type]
	unionSearched sync.Map // package path -> true
)

// SetUnionSource tells ShapeOf where to find the SDK types that carry a
// union: given a union's package ("…/service/dynamodb/types"), source lists
// the service's output types, whose walk notes them. Without it, a union
// is known only once some walked output holds it, and what a definition
// validates to would depend on the order operations are met. The steps
// registry sets it.
func SetUnionSource(source func(pkgPath string) []reflect.Type) { unionSource.Store(&source) }

// findCarriers walks the outputs of t's service, once per package, and
// reports whether it did.
func findCarriers(t reflect.Type) bool {
	src := unionSource.Load()
	if src == nil {
		return false
	}
	if _, done := unionSearched.LoadOrStore(t.PkgPath(), true); done {
		return false
	}
	for _, out := range (*src)(t.PkgPath()) {
		ShapeOf(out)
	}
	return true
}
