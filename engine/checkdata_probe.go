package engine

import (
	"reflect"
	"time"
)

// maxProbeDepth bounds how deep a probePlaceholder fills nested structs.
const maxProbeDepth = 6

// probeInput builds a *t (a new SDK input struct) from the definition value
// v so that the SDK's required-field validation can run on it before the
// call: literals convert as they will at run time, and each `${{ }}` value,
// unknown until then, becomes a probePlaceholder of the field's type ("x", 1,
// true, a list or map of one probePlaceholder, a struct of placeholders). Parts
// that do not convert are skipped: checkData reports them.
func probeInput(v *Value, t reflect.Type) any {
	ShapeOf(t) // notes the union carriers placeholders may need
	p := reflect.New(t)
	if pv, ok := probeValue(v, t); ok {
		p.Elem().Set(pv)
	}
	return p.Interface()
}

func probeValue(v *Value, t reflect.Type) (reflect.Value, bool) {
	if v == nil || v.Kind == Null || v.Kind == String && v.Tmpl == nil && v.Str == "" {
		return reflect.Value{}, false
	}
	if v.Tmpl != nil {
		return probePlaceholder(t, 0) // the value's own depth is finite: only placeholders may recurse
	}
	switch t.Kind() {
	case reflect.Pointer:
		e, ok := probeValue(v, t.Elem())
		if !ok {
			return reflect.Value{}, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.Struct:
		if v.Kind != Map || t == shapeTimeType {
			break
		}
		out := reflect.New(t).Elem()
		for _, e := range v.Map {
			f, ok := t.FieldByName(e.Key)
			if !ok || !f.IsExported() {
				continue
			}
			if fv, ok := probeValue(e.Value, f.Type); ok {
				out.FieldByIndex(f.Index).Set(fv)
			}
		}
		return out, true
	case reflect.Slice:
		if v.Kind != List {
			break
		}
		out := reflect.MakeSlice(t, 0, len(v.List))
		for _, x := range v.List {
			if xv, ok := probeValue(x, t.Elem()); ok {
				out = reflect.Append(out, xv)
			} else if xv, ok := probePlaceholder(t.Elem(), 0); ok {
				out = reflect.Append(out, xv) // keep the list's length
			}
		}
		return out, true
	case reflect.Map:
		if v.Kind != Map || t.Key().Kind() != reflect.String {
			break
		}
		out := reflect.MakeMap(t)
		for _, e := range v.Map {
			if ev, ok := probeValue(e.Value, t.Elem()); ok {
				out.SetMapIndex(reflect.ValueOf(e.Key).Convert(t.Key()), ev)
			}
		}
		return out, true
	}
	if pv, err := FromData(v.Data(), t); err == nil {
		return pv, true
	}
	return reflect.Value{}, false
}

// probePlaceholder returns a value of type t that passes required-field checks.
func probePlaceholder(t reflect.Type, depth int) (reflect.Value, bool) {
	if depth > maxProbeDepth {
		return reflect.Value{}, false
	}
	out := reflect.New(t).Elem()
	if t == shapeTimeType {
		out.Set(reflect.ValueOf(time.Unix(0, 0).UTC()))
		return out, true
	}
	switch t.Kind() {
	case reflect.Pointer:
		e, ok := probePlaceholder(t.Elem(), depth)
		if !ok {
			return reflect.Value{}, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.String:
		s := "x"
		if enum := sdkEnumValues(t); len(enum) > 0 {
			s = enum[0]
		}
		out.SetString(s)
	case reflect.Bool:
		out.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out.SetUint(1)
	case reflect.Float32, reflect.Float64:
		out.SetFloat(1)
	case reflect.Slice:
		e, ok := probePlaceholder(t.Elem(), depth+1)
		if !ok {
			return reflect.MakeSlice(t, 0, 0), true
		}
		return reflect.Append(reflect.MakeSlice(t, 0, 1), e), true
	case reflect.Map:
		out = reflect.MakeMap(t)
		if e, ok := probePlaceholder(t.Elem(), depth+1); ok && t.Key().Kind() == reflect.String {
			out.SetMapIndex(reflect.ValueOf("x").Convert(t.Key()), e)
		}
	case reflect.Struct:
		for _, f := range dataFields(t) {
			if fv, ok := probePlaceholder(f.Type, depth+1); ok {
				out.FieldByIndex(f.Index).Set(fv)
			}
		}
	case reflect.Interface:
		return probeUnionMember(t, depth)
	default:
		return reflect.Value{}, false
	}
	return out, true
}

// probeUnionMember fills a union with its first known member, or any
// with "x"; other interfaces stay empty.
func probeUnionMember(t reflect.Type, depth int) (reflect.Value, bool) {
	out := reflect.New(t).Elem()
	if t.NumMethod() == 0 {
		out.Set(reflect.ValueOf("x"))
		return out, true
	}
	u, err := unionOf(t, nil)
	if err != nil {
		return reflect.Value{}, false
	}
	m, ok := probePlaceholder(u.members[u.names[0]], depth+1)
	if !ok {
		return reflect.Value{}, false
	}
	out.Set(m)
	return out, true
}
