package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// CheckData checks the definition value v (an AWS input, or part of one, at
// path) against shape s, adding to ds an error for each field s does not
// have (at the key, with the field meant or the fields there are) and each
// literal of the wrong type (at the value, saying what the field wants). A
// scalar is never taken for a list. A template that is exactly one
// expression has the expression's shape, which exprShape gives (nil when it
// is unknown); any other template is a string. Null and "" fit anywhere:
// they are left out of the call. Any fits anything.
func CheckData(v *Value, s *Shape, path string, ds *Diagnostics, exprShape func(*Expr) *Shape) {
	if v == nil || v.Kind == Null || s == nil || s.Kind == AnyShape {
		return
	}
	if v.Kind == String && v.Tmpl == nil && v.Str == "" {
		return
	}
	name := path
	if name == "" {
		name = "the value"
	}
	if v.Tmpl != nil {
		checkDataTemplate(v, s, name, ds, exprShape)
		return
	}
	switch s.Kind {
	case ObjectShape:
		if v.Kind != Map {
			break
		}
		for _, e := range v.Map {
			f := s.Field(e.Key)
			if f == nil {
				d := ds.Errorf(e.KeyPos, "unknown field %q in %s", e.Key, checkObjectName(s, path))
				d.Hint = checkFieldHint(e.Key, s.FieldNames())
				continue
			}
			CheckData(e.Value, f.Shape, joinDataPath(path, e.Key), ds, exprShape)
		}
		return
	case MapShape:
		if v.Kind != Map {
			break
		}
		for _, e := range v.Map {
			CheckData(e.Value, s.Elem, joinDataPath(path, e.Key), ds, exprShape)
		}
		return
	case ListShape:
		if v.Kind != List {
			break
		}
		for i, x := range v.List {
			CheckData(x, s.Elem, fmt.Sprintf("%s[%d]", path, i), ds, exprShape)
		}
		return
	case StringShape:
		if v.Kind != String {
			break
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, v.Str) {
			d := ds.Errorf(v.Pos, "%s wants one of %s, got %q", name, checkEnumList(s.Enum), v.Str)
			d.Hint = DidYouMean(v.Str, s.Enum)
		}
		return
	case IntShape:
		if v.Kind == Int {
			return
		}
		if v.Kind == Float {
			if v.Float != math.Trunc(v.Float) {
				ds.Errorf(v.Pos, "%s wants an int, got %v", name, v.Float)
			}
			return
		}
	case FloatShape:
		if v.Kind == Int || v.Kind == Float {
			return
		}
	case BoolShape:
		if v.Kind == Bool {
			return
		}
	}
	ds.Errorf(v.Pos, "%s wants %s, got %s", name, checkAShape(s), checkAValueKind(v.Kind))
}

// checkDataTemplate checks a `${{ }}` value: text around an expression makes
// a string; a whole expression has its own shape.
func checkDataTemplate(v *Value, s *Shape, name string, ds *Diagnostics, exprShape func(*Expr) *Shape) {
	if !v.Tmpl.Whole || len(v.Tmpl.Parts) != 1 || v.Tmpl.Parts[0].Expr == nil {
		if !shapeAccepts(s, Str) {
			ds.Errorf(v.Pos, "%s wants %s, got a string", name, checkAShape(s))
		}
		return
	}
	if exprShape == nil {
		return
	}
	got := exprShape(v.Tmpl.Parts[0].Expr)
	if !shapeAccepts(s, got) {
		ds.Errorf(v.Pos, "%s wants %s, but ${{ %s }} gives %s", name, checkAShape(s),
			strings.TrimSpace(v.Tmpl.Parts[0].Expr.Src), checkAShape(got))
	}
}

// shapeAccepts reports whether data of shape got may fill a field of shape
// want. Unknown parts (nil, Any) fit; a float may fill an int (at run time
// it must have no fraction); a map or an object fills an object or a map
// whose fields fit.
func shapeAccepts(want, got *Shape) bool {
	if want == nil || got == nil || want.Kind == AnyShape || got.Kind == AnyShape {
		return true
	}
	switch want.Kind {
	case StringShape, BoolShape:
		return got.Kind == want.Kind
	case IntShape, FloatShape:
		return got.Kind == IntShape || got.Kind == FloatShape
	case ListShape:
		return got.Kind == ListShape && shapeAccepts(want.Elem, got.Elem)
	case MapShape:
		switch got.Kind {
		case MapShape:
			return shapeAccepts(want.Elem, got.Elem)
		case ObjectShape:
			for _, f := range got.Fields {
				if !shapeAccepts(want.Elem, f.Shape) {
					return false
				}
			}
			return true
		}
	case ObjectShape:
		switch got.Kind {
		case MapShape:
			return true
		case ObjectShape:
			for _, f := range got.Fields {
				wf := want.Field(f.Name)
				if wf == nil || !shapeAccepts(wf.Shape, f.Shape) {
					return false
				}
			}
			return true
		}
	}
	return false
}

func checkObjectName(s *Shape, path string) string {
	switch {
	case s.Name != "":
		return s.Name
	case path != "":
		return path
	}
	return "the object"
}

// checkFieldHint names the field meant, or lists the fields there are.
func checkFieldHint(key string, names []string) string {
	if h := DidYouMean(key, names); h != "" {
		return h
	}
	if len(names) == 0 {
		return "it has no fields"
	}
	if len(names) > 12 {
		return "fields are " + strings.Join(names[:12], ", ") + fmt.Sprintf(" and %d more", len(names)-12)
	}
	return "fields are " + strings.Join(names, ", ")
}

func checkEnumList(enum []string) string {
	if len(enum) > 8 {
		return strings.Join(enum[:8], ", ") + fmt.Sprintf(" (and %d more)", len(enum)-8)
	}
	return strings.Join(enum, ", ")
}

// checkAShape names a shape with its article: "a string", "an int", "a list
// of string", "an object DBCluster".
func checkAShape(s *Shape) string {
	if s == nil {
		return "any value"
	}
	if len(s.Enum) > 0 {
		return "a string"
	}
	w := shapeWant(s)
	switch s.Kind {
	case AnyShape:
		return "any value"
	case IntShape, ObjectShape:
		return "an " + w
	}
	return "a " + w
}

func checkAValueKind(k ValueKind) string {
	switch k {
	case Int:
		return "an int"
	case Null:
		return "null"
	}
	return "a " + string(k)
}
