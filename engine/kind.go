package engine

// FieldType says what a kind's field holds and how it is checked.
type FieldType string

// The field types a kind descriptor can use.
const (
	TextField       FieldType = "text"       // a string; may interpolate ${{ }}
	ExprField       FieldType = "expr"       // a bare expression of any type
	BoolExprField   FieldType = "boolExpr"   // a bare expression giving a bool
	ListExprField   FieldType = "listExpr"   // a bare expression giving a list
	DurationField   FieldType = "duration"   // 90s, 15m, 2d; or ${{ }}
	IntField        FieldType = "int"        // a literal integer
	BoolField       FieldType = "bool"       // a literal bool
	DataField       FieldType = "data"       // any data; strings may interpolate
	TextMapField    FieldType = "textMap"    // a map of strings (headers, env)
	TextListField   FieldType = "textList"   // a list of strings (argv)
	PrincipalsField FieldType = "principals" // user:NAME / group:NAME, literal
	EnumField       FieldType = "enum"       // one of Enum, literal
	RefField        FieldType = "ref"        // NAME@VERSION-OR-RANGE of a definition, literal
	OperationField  FieldType = "operation"  // service:Operation, literal
	StatusField     FieldType = "status"     // an HTTP status code or a list of them
	ObjectField     FieldType = "object"     // a mapping of Fields
	StepsField      FieldType = "steps"      // nested steps
)

// Field describes one field of a step kind.
type Field struct {
	Name     string
	Type     FieldType
	Doc      string
	Required bool
	Enum     []string // for EnumField
	Fields   []Field  // for ObjectField
	OneOf    bool     // for ObjectField: exactly one of Fields
	Min      int      // for IntField: the least value
}

// Kind describes a step kind: the key that names it, how it is written, its
// fields and the shape of its `result`. The descriptor drives loading,
// checking, the JSON Schema and the generated docs. A kind's runtime lives
// beside its descriptor in the steps package.
type Kind struct {
	Name    string
	Summary string
	// Scalar is the kind key's value in the scalar form (aws: OP, sleep: 15m),
	// nil when the kind has no scalar form; Beside lists the fields that sit
	// beside the kind key in that form.
	Scalar *Field
	Beside []Field
	// Fields lists the fields of the mapping form (waitFor: {...}), nil when
	// the kind has no mapping form.
	Fields []Field
	// Result is the shape of `result` in the step's outputs, nil when the
	// kind has none or (aws) it comes from the operation.
	Result *Shape
	// OwnTimeout marks kinds whose mapping carries the wait's deadline; a
	// step-level timeout is then an error.
	OwnTimeout bool
	// Ends marks kinds that end the execution (fail, succeed, conclude).
	Ends bool
	// PlaybookOnly marks kinds valid only in playbooks (conclude).
	PlaybookOnly bool
	// Example is a YAML step using the kind; the docs show it and a test
	// validates it.
	Example string
}

// Kinds is the set of step kinds a checker knows, in documentation order.
type Kinds []*Kind

// Lookup returns the kind called name, or nil.
func (ks Kinds) Lookup(name string) *Kind {
	for _, k := range ks {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Names lists the kinds' names.
func (ks Kinds) Names() []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Name
	}
	return out
}
