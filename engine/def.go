package engine

import "time"

// APIVersion is the only definition format version this build reads.
const APIVersion = "runbook/v1"

// The definition kinds.
const (
	KindRunbook  = "Runbook"
	KindPlaybook = "Playbook"
	KindRouting  = "Routing"
)

// Ident is a literal name (a step, a goto target) and where it is written.
type Ident struct {
	Name string `json:"name"`
	Pos  Pos    `json:"pos"`
}

// Duration is a literal duration or, when Expr is set, an interpolated one.
type Duration struct {
	D    time.Duration
	Expr *Template
	Pos  Pos
}

// Definition is one loaded definition file: a Runbook, a Playbook or a
// Routing file, with every value's position. Playbook nodes are in Steps.
type Definition struct {
	File       string
	Source     []byte
	Pos        Pos
	APIVersion Ident
	Kind       Ident
	Name       Ident
	Version    Ident
	// Optional header fields.
	Description string
	Owner       string
	Tags        []string
	Params      []*Param
	Outputs     []*Output
	AssumeRole  *Value
	Region      *Value
	Timeout     *Duration
	Triggers    []*Trigger
	Lock        *Expr
	Starters    []Ident
	Cancellers  []Ident
	TaskQueue   Ident
	// Notify announces the execution's events.
	Notify []*Notify
	// Runbook steps or Playbook nodes, then the finally steps.
	Steps   []*Step
	Start   *Ident
	Finally []*Step
	// Routing files.
	Routes []*Route
	// keys are the top-level keys present.
	keys map[string]bool
}

// ID is "name@version".
func (d *Definition) ID() string { return d.Name.Name + "@" + d.Version.Name }

// Param declares one parameter.
type Param struct {
	Name        Ident
	Type        Ident // string, int, float, bool, duration, list, map
	Items       *Ident
	Default     *Value
	Enum        []*Value
	EnumPos     Pos
	Pattern     *Value
	Min, Max    *Value
	Secret      bool
	Description string
}

// Required reports whether the param has no default.
func (p *Param) Required() bool { return p.Default == nil }

// Output is a named expression: a step's or a definition's output.
type Output struct {
	Name   Ident
	Expr   *Expr
	Secret bool
	// Implicit marks an output the loader wrote (Kind.ResultOutputs).
	Implicit bool
	// Shape is the expression's type, set by the checker.
	Shape *Shape
}

// Retry is a step's retry policy.
type Retry struct {
	Pos         Pos
	MaxAttempts int
	Interval    *Duration
	Backoff     float64
}

// OnFailure is what a failed step does: abort, continue or goto a step.
type OnFailure struct {
	Pos    Pos
	Action string // "abort", "continue", "goto"
	Goto   Ident
}

// Branch is one route of a step: when When is true, go to Goto.
type Branch struct {
	When *Expr
	Goto Ident
}

// Step is one runbook step or playbook node.
type Step struct {
	Pos         Pos
	Name        Ident
	Description string
	If          *Expr
	Timeout     *Duration
	Retry       *Retry
	OnFailure   *OnFailure
	Outputs     []*Output
	Branch      []*Branch
	Default     *Ident
	Region      *Value
	AssumeRole  *Value
	MaxVisits   int
	// Kind is the step kind ("" for a pure branch); KindPos where its key is.
	Kind    *Kind
	KindPos Pos
	// Main is the kind key's value in the scalar form; Args the kind's
	// other fields (beside the key, or inside its mapping), in source order.
	Main *Value
	Args []*Entry
	// Steps are nested steps (forEach).
	Steps []*Step
	// Fields are the typed fields a person answers (ask).
	Fields []*Param
	// op is the resolved AWS operation, set by the checker.
	op *Operation
	// child is the runbook that run or recommend resolves to, set by the
	// checker and pinned in the plan.
	child *Definition
}

// Arg returns the kind field called name, or nil.
func (s *Step) Arg(name string) *Value {
	for _, e := range s.Args {
		if e.Key == name {
			return e.Value
		}
	}
	return nil
}

// operation is the step's AWS operation (its kind's OperationField), nil
// when it names none.
func (s *Step) operation() *Value {
	if s.Kind == nil {
		return nil
	}
	f := s.Kind.opField()
	switch {
	case f == nil:
		return nil
	case f == s.Kind.Scalar:
		return s.Main
	}
	return s.Arg(f.Name)
}

// paramsBeside returns the params given beside ref, a definition the
// step names (run's, or recommend's inside conclude): the `params` of
// the mapping that holds ref.
func (s *Step) paramsBeside(ref *Value) *Value {
	if ref == s.Main {
		return s.Arg("params")
	}
	for _, a := range s.Args {
		for _, e := range a.Value.Map {
			if e.Value == ref {
				return a.Value.Field("params")
			}
		}
	}
	return nil
}

// Trigger starts a definition when an alarm matches.
type Trigger struct {
	Pos     Pos
	Alarm   *Value
	State   *Value
	Account *Value
	Region  *Value
	Params  []*Output
}

// Route maps alarms to a definition in a Routing file.
type Route struct {
	Trigger
	Run      Ident
	Cooldown *Duration
}
