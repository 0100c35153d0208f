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
	ParamsField     FieldType = "params"     // typed fields declared as params are (ask)
	LinksField      FieldType = "links"      // a list of {title, url}; both text
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
	// Ends says how the kind ends the execution, when it does (fail,
	// succeed, conclude).
	Ends End
	// PlaybookOnly marks kinds valid only in playbooks (conclude).
	PlaybookOnly bool
	// ResultOutputs marks kinds whose step, when it declares no outputs,
	// has its result's fields as outputs (manual, ask): the loader writes
	// them as `NAME: result.NAME`, and unused ones are not warned about.
	ResultOutputs bool
	// Example is a YAML step using the kind; the docs show it and a test
	// validates it.
	Example string

	// Runs says how the interpreter runs a step of the kind; Activity
	// names the activity (ActivityAWS, ...) of RunsActivity kinds, and of
	// RunsCheck kinds' mapping form. See Operation for what an AWS kind
	// calls.
	Runs     Runs
	Activity string
	// Target names what a step of an activity kind that calls no AWS
	// operation calls, for its call and summary (the HTTP method, the
	// program); nil for none.
	Target func(s *PlanStep) string
	// Reads reports whether a step of such a kind only reads (an HTTP
	// GET): it is retried without a retry policy, as a read-only AWS
	// call is, and a dry run sends it. Nil: never.
	Reads func(s *PlanStep) bool
	// Guard is the workflow.GetVersion change that added the kind to the
	// interpreter: executions started before failed on it, and replay so.
	Guard string
}

// Runs says how the interpreter runs a step of a kind. The zero Runs
// says nothing: every kind says how it runs.
type Runs int

// How kinds run.
const (
	// RunsInline: in the workflow, from recorded values (log; fail,
	// succeed and conclude, see End).
	RunsInline Runs = iota + 1
	// RunsCheck: a condition that must hold, else the step fails with
	// its message: the kind's expression in the workflow or, in its
	// mapping form, `condition` over the result of its call (assert).
	RunsCheck
	// RunsTimer: a durable timer as long as the kind's value (sleep).
	RunsTimer
	// RunsActivity: the kind's Activity, given the step's resolved call
	// (aws, waitFor, http, script). One whose mapping carries its own
	// timeout (OwnTimeout) polls at `interval` until it.
	RunsActivity
	// RunsApproval: waits for decisions, sent as updates (approve).
	RunsApproval
	// RunsChild: a child execution of the runbook the step pins (run).
	RunsChild
	// RunsLoop: the nested steps, once per item (forEach).
	RunsLoop
	// RunsManual: waits until a person marks it done, sent as an update
	// (manual).
	RunsManual
	// RunsAsk: waits until a person answers its fields, sent as an
	// update; the answer is its result (ask).
	RunsAsk
)

// Human reports whether a step of the kind waits for a person (approve,
// manual, ask).
func (k *Kind) Human() bool {
	return k != nil && (k.Runs == RunsApproval || k.Runs == RunsManual || k.Runs == RunsAsk)
}

// End says how a kind ends the execution.
type End int

// How kinds end the execution.
const (
	EndNone      End = iota // it goes on
	EndFailed               // failed, with the kind's message (fail)
	EndSucceeded            // successful, with the kind's message (succeed)
	EndConcluded            // a playbook, with a finding (conclude)
)

// opField is the kind's OperationField (aws), nil when it calls no AWS
// operation.
func (k *Kind) opField() *Field {
	if k.Scalar != nil && k.Scalar.Type == OperationField {
		return k.Scalar
	}
	for i := range k.Fields {
		if k.Fields[i].Type == OperationField {
			return &k.Fields[i]
		}
	}
	return nil
}

// Operation is the AWS operation (service:Operation) a step of the kind
// calls, "" when it calls none.
func (k *Kind) Operation(s *PlanStep) string {
	f := k.opField()
	switch {
	case f == nil:
		return ""
	case f == k.Scalar && s.Main != nil:
		return s.Main.Str
	case s.Arg(f.Name) != nil:
		return s.Arg(f.Name).Str
	}
	return ""
}

// Calls returns the activity a step of the kind calls and what it calls
// (its operation, else the kind's Target); "" when it calls none (a
// check in its expression form, the kinds that run in the workflow).
func (k *Kind) Calls(s *PlanStep) (activity, target string) {
	switch {
	case k.Runs == RunsCheck && k.Operation(s) == "", k.Runs != RunsActivity && k.Runs != RunsCheck:
		return "", ""
	case k.opField() != nil:
		return k.Activity, k.Operation(s)
	case k.Target != nil:
		return k.Activity, k.Target(s)
	}
	return k.Activity, ""
}

// ReadOnly reports whether step s of the kind only reads: an AWS
// operation that does (PlanStep.ReadOnly), or what Reads says.
func (k *Kind) ReadOnly(s *PlanStep) bool {
	return s.ReadOnly || k.Reads != nil && k.Reads(s)
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
