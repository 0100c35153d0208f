package engine

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

var unionCache sync.Map // union interface type -> *unionInfo

// unionInfo lists a union's members by name, as ToData writes them: the Go
// type's name after "<Union>Member".
type unionInfo struct {
	names   []string
	members map[string]reflect.Type // pointers to member structs
}

func unionOf(t, root reflect.Type) (*unionInfo, error) {
	if u, ok := unionCache.Load(t); ok {
		return u.(*unionInfo), nil
	}
	c, err := carrierOf(t, root)
	if err != nil {
		return nil, err
	}
	d := &carrierDeser{}
	if _, err := c.carry(d); err != nil {
		return nil, err
	}
	u := &unionInfo{members: map[string]reflect.Type{}}
	for _, m := range d.names {
		v, err := c.carry(&carrierDeser{member: m})
		if err != nil || !v.IsValid() {
			continue
		}
		mt := v.Elem().Type()
		name := m
		if mt.Kind() == reflect.Pointer {
			if n, ok := strings.CutPrefix(mt.Elem().Name(), t.Name()+"Member"); ok && n != "" {
				name = n
			}
		}
		u.members[name] = mt
		u.names = append(u.names, name)
	}
	if len(u.names) == 0 {
		return nil, errors.New("its members are unknown")
	}
	sort.Strings(u.names)
	v, _ := unionCache.LoadOrStore(t, u)
	return v.(*unionInfo), nil
}

// unionFromData builds a document, or a union member from {"Member": value}.
func unionFromData(data any, t reflect.Type, path string, root reflect.Type) (reflect.Value, error) {
	if t.Implements(dataMarshalerType) {
		c, err := carrierOf(t, root)
		if err != nil {
			return reflect.Value{}, dataError(path, "cannot build a document: %v", err)
		}
		v, err := c.carry(&carrierDeser{doc: data})
		if err != nil || !v.IsValid() {
			return reflect.Value{}, dataError(path, "cannot build a document: %v", err)
		}
		return v, nil
	}
	u, err := unionOf(t, root)
	if err != nil {
		return reflect.Value{}, dataError(path, "cannot build %s from data: %v", dataArticle(t.Name()), err)
	}
	m, ok := dataMap(data)
	if !ok || len(m) != 1 {
		return reflect.Value{}, dataError(path, "want %s: a map with one key, one of %s; got %s",
			dataArticle(t.Name()), strings.Join(u.names, ", "), dataKind(data))
	}
	var key string
	for key = range m {
	}
	mt, ok := u.members[key]
	for _, n := range u.names {
		if !ok && strings.EqualFold(n, key) {
			mt, ok = u.members[n], true
		}
	}
	if !ok {
		msg := fmt.Sprintf("unknown %s member %q", t.Name(), key)
		if hint := DidYouMean(key, u.names); hint != "" {
			return reflect.Value{}, dataError(path, "%s; %s", msg, hint)
		}
		return reflect.Value{}, dataError(path, "%s; want one of %s", msg, strings.Join(u.names, ", "))
	}
	var mv reflect.Value
	if fs := dataFields(mt.Elem()); len(fs) == 1 {
		v, err := fromData(m[key], fs[0].Type, joinDataPath(path, key), root)
		if err != nil {
			return reflect.Value{}, err
		}
		mv = reflect.New(mt.Elem())
		mv.Elem().FieldByIndex(fs[0].Index).Set(v)
	} else if mv, err = fromData(m[key], mt, joinDataPath(path, key), root); err != nil {
		return reflect.Value{}, err
	}
	out := reflect.New(t).Elem()
	out.Set(mv)
	return out, nil
}

func dataArticle(name string) string {
	if name != "" && strings.ContainsRune("AEIOUaeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}
