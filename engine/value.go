package engine

// ValueKind is the JSON type of a Value.
type ValueKind string

// The kinds of Value.
const (
	Null   ValueKind = "null"
	Bool   ValueKind = "bool"
	Int    ValueKind = "int"
	Float  ValueKind = "float"
	String ValueKind = "string"
	List   ValueKind = "list"
	Map    ValueKind = "map"
)

// Value is a data value from a definition (an AWS input, an HTTP body, a
// message) with its source position. A string holding `${{ }}` carries its
// parsed Template; it is evaluated at run time, never at load time.
type Value struct {
	Kind  ValueKind `json:"kind"`
	Pos   Pos       `json:"pos"`
	Bool  bool      `json:"bool,omitempty"`
	Int   int64     `json:"int,omitempty"`
	Float float64   `json:"float,omitempty"`
	Str   string    `json:"str,omitempty"`
	List  []*Value  `json:"list,omitempty"`
	Map   []*Entry  `json:"map,omitempty"`
	Tmpl  *Template `json:"tmpl,omitempty"`
}

// Entry is one key of a map Value, in source order.
type Entry struct {
	Key    string `json:"key"`
	KeyPos Pos    `json:"keyPos"`
	Value  *Value `json:"value"`
}

// Template is a string with `${{ expression }}` parts. When Whole is true
// the string is exactly one expression and takes that expression's type;
// otherwise the parts are joined into a string.
type Template struct {
	Whole bool   `json:"whole,omitempty"`
	Parts []Part `json:"parts"`
}

// Part is a literal piece of a Template or one expression.
type Part struct {
	Lit  string `json:"lit,omitempty"`
	Expr *Expr  `json:"expr,omitempty"`
}

// Expr is the source of one expression and where it starts. Positions that
// expr reports (line and column inside Src) map back into the file through
// At, inside block scalars too.
type Expr struct {
	Src  string  `json:"src"`
	Pos  Pos     `json:"pos"`
	m    *posMap // maps offsets in the enclosing scalar to file positions
	base int     // offset of Src in that scalar
}

// Field returns the value under key in a map Value, or nil.
func (v *Value) Field(key string) *Value {
	if v == nil || v.Kind != Map {
		return nil
	}
	for _, e := range v.Map {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// IsLiteral reports whether v holds no expression anywhere.
func (v *Value) IsLiteral() bool {
	if v == nil {
		return true
	}
	if v.Tmpl != nil {
		return false
	}
	for _, x := range v.List {
		if !x.IsLiteral() {
			return false
		}
	}
	for _, e := range v.Map {
		if !e.Value.IsLiteral() {
			return false
		}
	}
	return true
}

// Data returns v as plain Go data (nil, bool, int64, float64, string,
// []any, map[string]any); a templated string stays its source text.
func (v *Value) Data() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case Bool:
		return v.Bool
	case Int:
		return v.Int
	case Float:
		return v.Float
	case String:
		return v.Str
	case List:
		out := make([]any, len(v.List))
		for i, x := range v.List {
			out[i] = x.Data()
		}
		return out
	case Map:
		out := make(map[string]any, len(v.Map))
		for _, e := range v.Map {
			out[e.Key] = e.Value.Data()
		}
		return out
	}
	return nil
}

// AtOffset maps a byte offset inside Src to a file position.
func (e *Expr) AtOffset(off int) Pos {
	if e == nil || e.m == nil {
		return e.Pos
	}
	return e.m.at(e.base + min(max(off, 0), len(e.Src)))
}
