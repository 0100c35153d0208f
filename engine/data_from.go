package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// FromData builds a value of type t (an SDK input struct, or anything in
// one) from plain data of the form ToData produces: maps for structs (a
// field whose value is nil or "" is left out, as the AWS call leaves it),
// strings for enums, RFC 3339 strings for times, base64 strings for []byte,
// lists for slices (a single value is not taken for a list), integers from
// any integer or a float without a fraction, unions from a one-key map
// ({"S": "x"}), documents from any data. An error names the path of the
// value it is about: "Filters[0].Values: want list of string, got string";
// an unknown key says which was meant.
func FromData(data any, t reflect.Type) (reflect.Value, error) {
	return fromData(data, t, "", t)
}

// dataError is a conversion error at path.
func dataError(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path == "" {
		return fmt.Errorf("%s", msg)
	}
	return fmt.Errorf("%s: %s", path, msg)
}

func wantError(path string, t reflect.Type, data any) error {
	return dataError(path, "want %s, got %s", shapeWant(ShapeOf(t)), dataKind(data))
}

// fromData converts data at path to t; root is the type FromData started
// from, where union carriers are looked for.
func fromData(data any, t reflect.Type, path string, root reflect.Type) (reflect.Value, error) {
	if data == nil {
		return reflect.Zero(t), nil
	}
	if v := reflect.ValueOf(data); v.Type() == t {
		return v, nil
	}
	if t == shapeTimeType {
		s, ok := data.(string)
		if !ok {
			return reflect.Value{}, wantError(path, t, data)
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return reflect.Value{}, dataError(path, "want an RFC 3339 time (2006-01-02T15:04:05Z), got %q", s)
		}
		return reflect.ValueOf(tm), nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		e, err := fromData(data, t.Elem(), path, root)
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, nil
	case reflect.Struct:
		return structFromData(data, t, path, root)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return bytesFromData(data, t, path)
		}
		return listFromData(data, t, path, root)
	case reflect.Map:
		return mapFromData(data, t, path, root)
	case reflect.Interface:
		return interfaceFromData(data, t, path, root)
	case reflect.String:
		if s, ok := data.(string); ok {
			return reflect.ValueOf(s).Convert(t), nil
		}
	case reflect.Bool:
		if b, ok := data.(bool); ok {
			return reflect.ValueOf(b).Convert(t), nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return intFromData(data, t, path)
	case reflect.Float32, reflect.Float64:
		if f, ok := dataFloat(data); ok {
			v := reflect.New(t).Elem()
			if v.OverflowFloat(f) {
				return reflect.Value{}, dataError(path, "%v is out of range", f)
			}
			v.SetFloat(f)
			return v, nil
		}
	}
	return reflect.Value{}, wantError(path, t, data)
}

func structFromData(data any, t reflect.Type, path string, root reflect.Type) (reflect.Value, error) {
	m, ok := dataMap(data)
	if !ok {
		return reflect.Value{}, wantError(path, t, data)
	}
	fields := map[string]reflect.StructField{}
	var names []string
	for _, f := range dataFields(t) {
		fields[f.Name] = f
		names = append(names, f.Name)
	}
	out := reflect.New(t).Elem()
	for _, k := range dataSortedKeys(m) {
		f, ok := fields[k]
		if !ok {
			msg := fmt.Sprintf("unknown field %q in %s", k, t.Name())
			if hint := DidYouMean(k, names); hint != "" {
				msg += "; " + hint
			}
			return reflect.Value{}, dataError(path, "%s", msg)
		}
		if m[k] == nil || m[k] == "" {
			continue // left out of the call
		}
		v, err := fromData(m[k], f.Type, joinDataPath(path, k), root)
		if err != nil {
			return reflect.Value{}, err
		}
		out.FieldByIndex(f.Index).Set(v)
	}
	return out, nil
}

func listFromData(data any, t reflect.Type, path string, root reflect.Type) (reflect.Value, error) {
	list, ok := dataList(data)
	if !ok {
		return reflect.Value{}, wantError(path, t, data)
	}
	out := reflect.MakeSlice(t, len(list), len(list))
	for i, x := range list {
		v, err := fromData(x, t.Elem(), fmt.Sprintf("%s[%d]", path, i), root)
		if err != nil {
			return reflect.Value{}, err
		}
		out.Index(i).Set(v)
	}
	return out, nil
}

func mapFromData(data any, t reflect.Type, path string, root reflect.Type) (reflect.Value, error) {
	m, ok := dataMap(data)
	if !ok || t.Key().Kind() != reflect.String {
		return reflect.Value{}, wantError(path, t, data)
	}
	out := reflect.MakeMapWithSize(t, len(m))
	for _, k := range dataSortedKeys(m) {
		v, err := fromData(m[k], t.Elem(), joinDataPath(path, k), root)
		if err != nil {
			return reflect.Value{}, err
		}
		out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), v)
	}
	return out, nil
}

func bytesFromData(data any, t reflect.Type, path string) (reflect.Value, error) {
	s, ok := data.(string)
	if !ok {
		return reflect.Value{}, wantError(path, t, data)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return reflect.Value{}, dataError(path, "want a base64 string, got %q", clipData(s))
	}
	return reflect.ValueOf(b).Convert(t), nil
}

func intFromData(data any, t reflect.Type, path string) (reflect.Value, error) {
	var i int64
	rv := reflect.ValueOf(data)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i = rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return reflect.Value{}, dataError(path, "%v is out of range", data)
		}
		i = int64(rv.Uint())
	default:
		if n, ok := data.(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				i = v
				break
			}
		}
		f, ok := dataFloat(data)
		if !ok {
			return reflect.Value{}, wantError(path, t, data)
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return reflect.Value{}, dataError(path, "want an integer, got %v", data)
		}
		i = int64(f)
	}
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if i < 0 || v.OverflowUint(uint64(i)) {
			return reflect.Value{}, dataError(path, "%d is out of range", i)
		}
		v.SetUint(uint64(i))
	default:
		if v.OverflowInt(i) {
			return reflect.Value{}, dataError(path, "%d is out of range", i)
		}
		v.SetInt(i)
	}
	return v, nil
}

// interfaceFromData fills an interface: any takes the data as it is, a
// reader reads a string, a document or a union is built by data_union.go.
func interfaceFromData(data any, t reflect.Type, path string, root reflect.Type) (reflect.Value, error) {
	if t.NumMethod() == 0 {
		v := reflect.New(t).Elem()
		v.Set(reflect.ValueOf(data))
		return v, nil
	}
	if t.Implements(dataReaderType) || dataReaderType.Implements(t) {
		var r any
		switch x := data.(type) {
		case string:
			r = strings.NewReader(x)
		case []byte:
			r = bytes.NewReader(x)
		}
		if rv := reflect.ValueOf(r); r != nil && rv.Type().Implements(t) {
			v := reflect.New(t).Elem()
			v.Set(rv)
			return v, nil
		}
		return reflect.Value{}, wantError(path, t, data)
	}
	return unionFromData(data, t, path, root)
}
