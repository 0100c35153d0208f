package engine

import "time"

// Names the workflow, its task queue and its activities are registered
// under. The interpreter calls activities by name, so the engine does not
// import the steps package that implements them.
const (
	WorkflowName    = "runbook"
	TaskQueue       = "runbook" // the default task queue; see Plan.Queue
	ActivityAWS     = "aws"     // one AWS call; see Call
	ActivityWaitFor = "waitFor" // an AWS call polled until a condition; see Call
	ActivityHTTP    = "http"    // one HTTP request; see Call and HTTPRequest
	ActivityScript  = "script"  // one program run on the worker; see Call and ScriptRequest
)

// The search attributes (keywords) that make executions findable: every
// execution sets them, and a namespace must have them.
const (
	AttrName    = "RunbookName"
	AttrVersion = "RunbookVersion"
	AttrKind    = "RunbookKind"
	AttrTrigger = "RunbookTrigger"
	AttrAlarm   = "AlarmName"
)

// SearchAttributes lists the search attributes, in that order.
var SearchAttributes = []string{AttrName, AttrVersion, AttrKind, AttrTrigger, AttrAlarm}

// The updates that act on a human step: decide an approval, mark a
// manual step done, answer an ask step. Their argument is a Decision,
// their result the step's Approval after it.
const (
	UpdateApprove = "approve"
	UpdateReject  = "reject"
	UpdateDone    = "done"
	UpdateAnswer  = "answer"
)

// The statuses of an execution and of its steps.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
	StatusCancelled = "cancelled"
	StatusTimedOut  = "timedOut"
	StatusWaiting   = "waiting" // a human step (approve, manual, ask) waiting for people
)

// Input is the workflow's input: the pinned plan and its params, already
// checked against the plan's declarations (ParamValue) and typed.
type Input struct {
	Plan      *Plan          `json:"plan"`
	Params    map[string]any `json:"params,omitempty"`
	StartedBy string         `json:"startedBy,omitempty"`
	Trigger   string         `json:"trigger,omitempty"` // manual, alarm, run, ...
	Parent    string         `json:"parent,omitempty"`  // the execution whose run step started this one
	// RetryOf is the execution this one retries; Reuse holds the outputs
	// of its top-level steps that are not run again (nil: skipped).
	RetryOf string `json:"retryOf,omitempty"`
	// Incident is the first execution of a chain of retries (set by
	// Retry): their notices share its PagerDuty dedup key.
	Incident string                    `json:"incident,omitempty"`
	Reuse    map[string]map[string]any `json:"reuse,omitempty"`
	// RetriedBy asked for this retry; StartedBy stays who asked for the
	// execution retried. Neither may approve it.
	RetriedBy string `json:"retriedBy,omitempty"`
	// DryRun runs read-only calls for real and nothing that acts: see
	// DryCall.
	DryRun bool           `json:"dryRun,omitempty"`
	Alarm  map[string]any `json:"alarm,omitempty"`
	// Seal says the input carries a secret (a parent's that knows one):
	// its payload is encrypted. Secret params seal it too. Secrets are
	// the parent's secret values the params hold: the child hides them.
	Seal    bool     `json:"seal,omitempty"`
	Secrets []string `json:"secrets,omitempty"`
}

// Call is the input of the aws and waitFor activities: one operation with
// its resolved input, the outputs to evaluate on the raw response inside
// the activity (only they enter the history) and, for waitFor and the
// mapping form of assert, the condition over `result`.
type Call struct {
	Step       string         `json:"step"`
	Op         string         `json:"op"` // service:Operation
	Input      map[string]any `json:"input,omitempty"`
	Region     string         `json:"region,omitempty"`
	AssumeRole string         `json:"assumeRole,omitempty"`
	// Env is what the outputs and Until may read besides `result`:
	// params, steps, execution, item, index.
	Env     map[string]any `json:"env,omitempty"`
	Outputs []*PlanOutput  `json:"outputs,omitempty"`
	Until   *Expr          `json:"until,omitempty"`
	// Interval between polls (waitFor).
	Interval time.Duration `json:"interval,omitempty"`
	// Token is the idempotency token for a mutating call, derived from the
	// execution, the step and the loop index; "" for read-only calls.
	Token string `json:"token,omitempty"`
	// DryRun asks a mutating call not to act: sent with the operation's
	// own DryRun flag where its input has one, else not sent at all.
	DryRun bool `json:"dryRun,omitempty"`
	// Seal says the execution knows a secret: the call's payload, and
	// its result's, are encrypted. Secrets are the secret strings it
	// knows (sealed with the call): the activity hides them from the
	// messages of its failures, which Temporal stores as they are.
	Seal    bool     `json:"seal,omitempty"`
	Secrets []string `json:"secrets,omitempty"`
}

// HTTPRequest is the Input of the http activity (as data: Call.Input holds
// its JSON fields). Its result, which outputs read as `result`, has
// status, headers (canonical names, values joined by ", "), body (text,
// capped) and json (the body parsed when it is JSON, else nil).
type HTTPRequest struct {
	Method  string            `json:"method,omitempty"` // default GET
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`   // a string as is, else JSON
	Expect  []int             `json:"expect,omitempty"` // default: any 2xx
	// AllowPrivate lets the request reach loopback and link-local
	// addresses (instance metadata), which are refused by default.
	AllowPrivate bool `json:"allowPrivate,omitempty"`
}

// ScriptRequest is the Input of the script activity (as data). Its result
// has stdout, stderr (each capped) and exitCode.
type ScriptRequest struct {
	Command []string          `json:"command"`
	Env     map[string]string `json:"env,omitempty"`
	Stdin   string            `json:"stdin,omitempty"`
}

// CallResult is what an aws or waitFor activity returns.
type CallResult struct {
	Outputs map[string]any `json:"outputs,omitempty"`
	// Met is Until's value on the last response (assert mapping form).
	Met   bool `json:"met,omitempty"`
	Polls int  `json:"polls,omitempty"` // waitFor
	// DryRun says what a dry run did instead of the call.
	DryRun string `json:"dryRun,omitempty"`
	// Secrets are the secret values in the response (see the steps package): the
	// execution hides them from then on. Seal: see Call.
	Secrets []string `json:"secrets,omitempty"`
	Seal    bool     `json:"seal,omitempty"`
	// Region is the region an AWS call went to (the step's, else the
	// worker's).
	Region string `json:"region,omitempty"`
}
