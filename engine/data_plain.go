package engine

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Helpers for plain data (the form of ToData and FromData).

func dataMap(data any) (map[string]any, bool) {
	if m, ok := data.(map[string]any); ok {
		return m, true
	}
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	m := make(map[string]any, v.Len())
	for it := v.MapRange(); it.Next(); {
		m[it.Key().String()] = it.Value().Interface()
	}
	return m, true
}

func dataList(data any) ([]any, bool) {
	if l, ok := data.([]any); ok {
		return l, true
	}
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array || v.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	l := make([]any, v.Len())
	for i := range l {
		l[i] = v.Index(i).Interface()
	}
	return l, true
}

func dataFloat(data any) (float64, bool) {
	if n, ok := data.(json.Number); ok {
		f, err := n.Float64()
		return f, err == nil
	}
	v := reflect.ValueOf(data)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	}
	return 0, false
}

// dataKind names the JSON type of data for messages.
func dataKind(data any) string {
	switch data.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case json.Number:
		return "number"
	}
	switch reflect.ValueOf(data).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map, reflect.Struct:
		return "map"
	}
	return fmt.Sprintf("%T", data)
}

// joinDataPath appends key to path: Filters.Name, or Tags["a b"] when the
// key is not a plain name.
func joinDataPath(path, key string) string {
	if !dataIsPlainKey(key) {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func dataIsPlainKey(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-')
		if !ok {
			return false
		}
	}
	return true
}

func dataSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func clipData(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// shapeWant names a shape for messages like String, shortening long enums.
func shapeWant(s *Shape) string {
	if s == nil {
		return "any"
	}
	switch s.Kind {
	case ListShape:
		return "list of " + shapeWant(s.Elem)
	case MapShape:
		return "map of " + shapeWant(s.Elem)
	case StringShape:
		if len(s.Enum) > 8 {
			return "string (one of " + strings.Join(s.Enum[:6], ", ") + ", ...)"
		}
	}
	return s.String()
}
