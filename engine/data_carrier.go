package engine

import (
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"
	smithydocument "github.com/aws/smithy-go/document"
)

// Go reflection cannot list the types of a package, so the members of an
// SDK union interface (dynamodb's AttributeValue: AttributeValueMemberS,
// ...) and the implementation of a service's document.Interface cannot be
// found from the interface alone. The SDK's own deserializers know them: a
// carrier, an SDK struct with a Deserialize method and a field holding the
// interface, is fed by carrierDeser, a smithy.ShapeDeserializer that answers
// the union with each member its schema names (or the document with the
// data), and the value the carrier ends up with shows the Go type. Carriers
// are noted while ShapeOf walks types (outputs are carriers: the steps
// registry walks each operation's output). Unions without a carrier cannot
// be built from data: those of services still on the older hand-written
// deserializers (ec2, s3, route53, codedeploy: s3's AnalyticsFilter), and
// those only an input holds (ssm StartExecutionPreview's ExecutionInputs).

var (
	carriers         sync.Map // union or document interface type -> carrier
	deserializerType = reflect.TypeFor[smithy.Deserializable]()
)

// carrier is a field of an SDK struct holding an interface, directly, in a
// list or in a map.
type carrier struct {
	t     reflect.Type // the struct
	field reflect.StructField
	wrap  reflect.Kind // reflect.Interface, reflect.Slice or reflect.Map
}

// noteCarrier records struct type t as a carrier of the interfaces its
// fields hold, when the SDK can deserialize it.
func noteCarrier(t reflect.Type) {
	if !reflect.PointerTo(t).Implements(deserializerType) {
		return
	}
	for _, f := range dataFields(t) {
		ft, wrap := f.Type, reflect.Interface
		switch {
		case ft.Kind() == reflect.Slice:
			ft, wrap = ft.Elem(), reflect.Slice
		case ft.Kind() == reflect.Map && ft.Key().Kind() == reflect.String:
			ft, wrap = ft.Elem(), reflect.Map
		}
		if ft.Kind() == reflect.Interface && ft.NumMethod() > 0 {
			carriers.LoadOrStore(ft, &carrier{t: t, field: f, wrap: wrap})
		}
	}
}

// carry runs the carrier's Deserialize with d and returns the interface
// value it put in its field (invalid when none).
func (c *carrier) carry(d *carrierDeser) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("deserializing %s: %v", c.t.Name(), r)
		}
	}()
	d.field = c.field.Name
	p := reflect.New(c.t)
	if err := p.Interface().(smithy.Deserializable).Deserialize(d); err != nil {
		return reflect.Value{}, err
	}
	f := p.Elem().FieldByIndex(c.field.Index)
	switch c.wrap {
	case reflect.Slice:
		if f.Len() == 0 {
			return reflect.Value{}, nil
		}
		f = f.Index(0)
	case reflect.Map:
		f = f.MapIndex(reflect.ValueOf(carrierKey).Convert(f.Type().Key()))
	}
	if !f.IsValid() || f.IsNil() {
		return reflect.Value{}, nil
	}
	return f, nil
}

func carrierOf(t, root reflect.Type) (*carrier, error) {
	c, ok := carriers.Load(t)
	if !ok && root != nil {
		ShapeOf(root) // notes the carriers of root's types
		c, ok = carriers.Load(t)
	}
	if !ok {
		return nil, fmt.Errorf("its Go types are unknown (no SDK type that deserializes %s was found)", dataArticle(t.Name()))
	}
	return c.(*carrier), nil
}

const carrierKey = "k"

// carrierDeser is a smithy.ShapeDeserializer that gives the carrier one
// value, in its field only: its first list item or map entry, the union
// member named member (none when ""; either way it learns the union's
// member names), or the document doc. Everything else reads as empty.
type carrierDeser struct {
	field, member string
	doc           any
	names         []string
	done          bool
	frames        []carrierFrame
}

type carrierFrame struct {
	schema *smithy.Schema
	given  bool
}

func (d *carrierDeser) push(s *smithy.Schema) error {
	d.frames = append(d.frames, carrierFrame{schema: s})
	return nil
}

// next reports whether the innermost open struct, list or map gives one
// (more) member, closing it when not.
func (d *carrierDeser) next() (*carrierFrame, bool) {
	f := &d.frames[len(d.frames)-1]
	if !f.given && !d.done {
		f.given = true
		return f, true
	}
	d.frames = d.frames[:len(d.frames)-1]
	return nil, false
}

func (d *carrierDeser) ReadStruct(s *smithy.Schema) error { return d.push(s) }
func (d *carrierDeser) ReadList(s *smithy.Schema) error   { return d.push(s) }
func (d *carrierDeser) ReadMap(s *smithy.Schema) error    { return d.push(s) }

func (d *carrierDeser) ReadStructMember() (*smithy.Schema, error) {
	top := len(d.frames) == 1
	if f, ok := d.next(); ok && top {
		for name, m := range f.schema.Members() {
			if strings.EqualFold(name, d.field) {
				return m, nil
			}
		}
	} else if ok {
		d.frames = d.frames[:len(d.frames)-1]
	}
	return nil, nil
}

func (d *carrierDeser) ReadListItem(*smithy.Schema) (bool, error) {
	_, ok := d.next()
	return ok, nil
}

func (d *carrierDeser) ReadMapKey(*smithy.Schema) (string, bool, error) {
	_, ok := d.next()
	return carrierKey, ok, nil
}

func (d *carrierDeser) ReadUnion(s *smithy.Schema) (*smithy.Schema, error) {
	if d.done {
		return nil, nil
	}
	d.done = true
	for name := range s.Members() {
		d.names = append(d.names, name)
	}
	sort.Strings(d.names)
	return s.Member(d.member), nil
}

func (d *carrierDeser) ReadDocument(_ *smithy.Schema, v *smithydocument.Value) error {
	if !d.done {
		d.done = true
		*v = smithydocument.Opaque{Value: d.doc}
	}
	return nil
}

func (d *carrierDeser) ReadNil(*smithy.Schema) (bool, error)          { return false, nil }
func (d *carrierDeser) ReadInt8(*smithy.Schema, *int8) error          { return nil }
func (d *carrierDeser) ReadInt16(*smithy.Schema, *int16) error        { return nil }
func (d *carrierDeser) ReadInt32(*smithy.Schema, *int32) error        { return nil }
func (d *carrierDeser) ReadInt64(*smithy.Schema, *int64) error        { return nil }
func (d *carrierDeser) ReadFloat32(*smithy.Schema, *float32) error    { return nil }
func (d *carrierDeser) ReadFloat64(*smithy.Schema, *float64) error    { return nil }
func (d *carrierDeser) ReadBool(*smithy.Schema, *bool) error          { return nil }
func (d *carrierDeser) ReadString(*smithy.Schema, *string) error      { return nil }
func (d *carrierDeser) ReadBlob(*smithy.Schema, *[]byte) error        { return nil }
func (d *carrierDeser) ReadTime(*smithy.Schema, *time.Time) error     { return nil }
func (d *carrierDeser) ReadBigInt(*smithy.Schema, *big.Int) error     { return nil }
func (d *carrierDeser) ReadBigFloat(*smithy.Schema, *big.Float) error { return nil }

var _ smithy.ShapeDeserializer = (*carrierDeser)(nil)
