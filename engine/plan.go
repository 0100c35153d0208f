package engine

// Plan is a definition lowered to plain serializable data: the workflow's
// input. Slices, not maps; every step keeps its source position; Digest
// identifies the content (positions and comments aside), so an execution is
// pinned to exactly the definition it started with.
type Plan struct {
	Digest      string        `json:"digest"`
	APIVersion  string        `json:"apiVersion"`
	Kind        string        `json:"kind"`
	Name        string        `json:"name"`
	Version     string        `json:"version"`
	Description string        `json:"description,omitempty"`
	Owner       string        `json:"owner,omitempty"`
	Tags        []string      `json:"tags,omitempty"`
	Source      Pos           `json:"source"`
	Params      []*PlanParam  `json:"params,omitempty"`
	Timeout     *Value        `json:"timeout,omitempty"`
	Region      *Value        `json:"region,omitempty"`
	AssumeRole  *Value        `json:"assumeRole,omitempty"`
	Lock        *Expr         `json:"lock,omitempty"`
	Starters    []string      `json:"starters,omitempty"`
	Cancellers  []string      `json:"cancellers,omitempty"` // besides the requester and the approvers
	TaskQueue   string        `json:"taskQueue,omitempty"`  // "": the default, TaskQueue
	Triggers    []*PlanRoute  `json:"triggers,omitempty"`
	Start       string        `json:"start,omitempty"`
	Steps       []*PlanStep   `json:"steps,omitempty"`
	Finally     []*PlanStep   `json:"finally,omitempty"`
	Outputs     []*PlanOutput `json:"outputs,omitempty"`
	Routes      []*PlanRoute  `json:"routes,omitempty"`
	// Notify announces the execution's events (absent: the plan's JSON,
	// hence its digest, is as before notify existed).
	Notify []*PlanNotify `json:"notify,omitempty"`
}

// PlanNotify is one target of a definition's notify: the events it
// announces (the defaults filled in) and where: Target (sns, http,
// slack, pagerduty) with its Value (the topic ARN; the request; the
// channel; the service).
type PlanNotify struct {
	On     []string `json:"on"`
	Target string   `json:"target"`
	Value  *Value   `json:"value"`
}

// PlanParam is a declared param; Default is typed data (int64, float64,
// bool, string, []any, map[string]any).
type PlanParam struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Items       string `json:"items,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Default     any    `json:"default,omitempty"`
	Enum        []any  `json:"enum,omitempty"`
	Pattern     string `json:"pattern,omitempty"`
	Min         *Value `json:"min,omitempty"`
	Max         *Value `json:"max,omitempty"`
	Secret      bool   `json:"secret,omitempty"`
	Description string `json:"description,omitempty"`
}

// PlanStep is one step: its kind, routing, policies and kind fields.
type PlanStep struct {
	Name        string        `json:"name"`
	Kind        string        `json:"kind,omitempty"` // "" for a pure branch
	Pos         Pos           `json:"pos"`
	Description string        `json:"description,omitempty"`
	If          *Expr         `json:"if,omitempty"`
	Timeout     *Value        `json:"timeout,omitempty"`
	Retry       *PlanRetry    `json:"retry,omitempty"`
	OnFailure   string        `json:"onFailure,omitempty"` // abort, continue, goto:STEP
	Outputs     []*PlanOutput `json:"outputs,omitempty"`
	Branch      []*PlanBranch `json:"branch,omitempty"`
	Default     string        `json:"default,omitempty"`
	// Next is where the step goes when it does not route: the next step,
	// or "" at the end.
	Next       string      `json:"next,omitempty"`
	Region     *Value      `json:"region,omitempty"`
	AssumeRole *Value      `json:"assumeRole,omitempty"`
	MaxVisits  int         `json:"maxVisits,omitempty"`
	ReadOnly   bool        `json:"readOnly,omitempty"`   // an aws operation that only reads
	Idempotent bool        `json:"idempotent,omitempty"` // its input takes an idempotency token
	Main       *Value      `json:"main,omitempty"`
	Args       []*Entry    `json:"args,omitempty"`
	Steps      []*PlanStep `json:"steps,omitempty"`
	// Fields are the typed fields a person answers (ask).
	Fields []*PlanParam `json:"fields,omitempty"`
	// Child is the plan of the runbook that run (or recommend) names,
	// resolved and pinned at validation.
	Child *Plan `json:"child,omitempty"`
}

// Arg returns the kind field called name, or nil.
func (s *PlanStep) Arg(name string) *Value {
	for _, e := range s.Args {
		if e.Key == name {
			return e.Value
		}
	}
	return nil
}

// PlanRetry is a retry policy; Interval is a duration string.
type PlanRetry struct {
	MaxAttempts int     `json:"maxAttempts"`
	Interval    *Value  `json:"interval,omitempty"`
	Backoff     float64 `json:"backoff"`
}

// PlanBranch routes to Goto when When holds.
type PlanBranch struct {
	When *Expr  `json:"when"`
	Goto string `json:"goto"`
}

// PlanOutput is a named expression with its checked type, so that the
// runtime decodes values by type (an int stays an int).
type PlanOutput struct {
	Name   string `json:"name"`
	Expr   *Expr  `json:"expr"`
	Type   *Shape `json:"type,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// PlanRoute is a trigger of a definition or a route of a Routing file.
type PlanRoute struct {
	Alarm    *Value        `json:"alarm,omitempty"`
	State    *Value        `json:"state,omitempty"`
	Account  *Value        `json:"account,omitempty"`
	Region   *Value        `json:"region,omitempty"`
	Run      string        `json:"run,omitempty"`
	Params   []*PlanOutput `json:"params,omitempty"`
	Cooldown *Value        `json:"cooldown,omitempty"`
}

// Queue is the task queue p's executions run on: its taskQueue, else the
// default TaskQueue.
func (p *Plan) Queue() string {
	if p.TaskQueue != "" {
		return p.TaskQueue
	}
	return TaskQueue
}
