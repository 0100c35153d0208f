package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	smithydocument "github.com/aws/smithy-go/document"
)

// maxDataDepth bounds how deep ToData follows a value, guarding against
// cyclic pointers (SDK outputs have none).
const maxDataDepth = 64

var (
	dataReaderType    = reflect.TypeFor[io.Reader]()
	dataMarshalerType = reflect.TypeFor[smithydocument.Marshaler]()
)

// ToData converts an SDK value (an output, usually a pointer to a struct)
// to plain data in the form ShapeOf describes: map[string]any for structs
// (every exported data field, nil ones as nil, so `x == nil` works), string
// for enums, RFC 3339 strings in UTC to the second for times (one fixed
// width, so that comparing two as strings compares the times), base64
// strings for
// []byte, int for every integer type, float64 for floats, []any and
// map[string]any for slices and maps. Documents become their JSON data and
// union members a one-key map from the member's name to its value
// ({"S": "x"} for dynamodb's AttributeValueMemberS). Streams are nil.
func ToData(v any) any {
	if v == nil {
		return nil
	}
	return toData(reflect.ValueOf(v), 0)
}

func toData(v reflect.Value, depth int) any {
	if !v.IsValid() || depth > maxDataDepth {
		return nil
	}
	t := v.Type()
	if t == shapeTimeType {
		return formatDataTime(v.Interface().(time.Time))
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return toData(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return interfaceData(v, depth)
	case reflect.Struct:
		out := map[string]any{}
		for _, f := range dataFields(t) {
			out[f.Name] = toData(v.FieldByIndex(f.Index), depth+1)
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toData(v.Index(i), depth+1)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			k := it.Key()
			key := fmt.Sprint(k.Interface())
			if k.Kind() == reflect.String {
				key = k.String()
			}
			out[key] = toData(it.Value(), depth+1)
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}

// interfaceData converts the value held in interface v: a document to its
// JSON data, a union member to {Member: value}, a stream to nil, anything
// else by its dynamic type.
func interfaceData(v reflect.Value, depth int) any {
	e := v.Elem()
	if e.Type().Implements(dataMarshalerType) {
		return documentData(e.Interface().(smithydocument.Marshaler))
	}
	if e.Type().Implements(dataReaderType) {
		return nil
	}
	if name, val, ok := unionMemberOf(v.Type(), e); ok {
		return map[string]any{name: toData(val, depth+1)}
	}
	return toData(e, depth+1)
}

// unionMemberOf recognizes a value e of union interface type iface: a
// pointer to a struct named IfaceMemberX with one data field. It returns X
// and that field.
func unionMemberOf(iface reflect.Type, e reflect.Value) (string, reflect.Value, bool) {
	if iface.NumMethod() == 0 || e.Kind() != reflect.Pointer || e.IsNil() || e.Elem().Kind() != reflect.Struct {
		return "", reflect.Value{}, false
	}
	st := e.Elem().Type()
	name, ok := strings.CutPrefix(st.Name(), iface.Name()+"Member")
	fs := dataFields(st)
	if !ok || name == "" || st.PkgPath() != iface.PkgPath() || len(fs) != 1 {
		return "", reflect.Value{}, false
	}
	return name, e.Elem().FieldByIndex(fs[0].Index), true
}

// documentData turns a smithy document into plain data: integers as int,
// other numbers as float64.
func documentData(m smithydocument.Marshaler) any {
	b, err := m.MarshalSmithyDocument()
	if err != nil {
		return nil
	}
	v, _ := ParseJSON(b)
	return v
}

// ParseJSON decodes b, one JSON value, as data: integers as int, other
// numbers as float64. Anything after the value is an error.
func ParseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.Decode(new(any)) != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return dataJSONNumbers(v), nil
}

func dataJSONNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = dataJSONNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = dataJSONNumbers(x[k])
		}
	}
	return v
}

// formatDataTime is the one form of a timestamp in data: RFC 3339 in UTC,
// fractions of a second trimmed.
func formatDataTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
