package engine

import "time"

// Names the workflow, its task queue and its activities are registered
// under. The interpreter calls activities by name, so the engine does not
// import the steps package that implements them.
const (
	WorkflowName    = "runbook"
	TaskQueue       = "runbook"
	ActivityAWS     = "aws"     // one AWS call; see Call
	ActivityWaitFor = "waitFor" // an AWS call polled until a condition; see Call
	ActivityHTTP    = "http"    // one HTTP request; see Call and HTTPRequest
	ActivityScript  = "script"  // one program run on the worker; see Call and ScriptRequest
)

// The updates that decide an approval. Their argument is a Decision,
// their result the step's Approval after it.
const (
	UpdateApprove = "approve"
	UpdateReject  = "reject"
)

// The statuses of an execution and of its steps.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
	StatusCancelled = "cancelled"
	StatusTimedOut  = "timedOut"
	StatusWaiting   = "waiting" // an approve step waiting for decisions
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
	RetryOf string                    `json:"retryOf,omitempty"`
	Reuse   map[string]map[string]any `json:"reuse,omitempty"`
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
	// its result's, are encrypted.
	Seal bool `json:"seal,omitempty"`
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
	// Secrets are the secret values in the response (SecretValues): the
	// execution hides them from then on. Seal: see Call.
	Secrets []string `json:"secrets,omitempty"`
	Seal    bool     `json:"seal,omitempty"`
	// Region is the region an AWS call went to (the step's, else the
	// worker's).
	Region string `json:"region,omitempty"`
}

// StepRecord is what happened to one step: the timeline `run`, `watch` and
// `status` print.
type StepRecord struct {
	Name     string         `json:"name"`
	Kind     string         `json:"kind,omitempty"`
	Status   string         `json:"status"`
	Start    time.Time      `json:"start"`
	End      time.Time      `json:"end,omitzero"`
	Outputs  map[string]any `json:"outputs,omitempty"`
	Message  string         `json:"message,omitempty"` // log, fail, succeed, assert
	Error    *StepError     `json:"error,omitempty"`
	Attempts int            `json:"attempts,omitempty"`
	// Approval is an approve step's request and the decisions so far.
	Approval *Approval `json:"approval,omitempty"`
	// Execution is the child execution's ID (run).
	Execution string `json:"execution,omitempty"`
	// Secret names the outputs that hold a secret: shown as ***.
	Secret []string `json:"secret,omitempty"`
}

// Approval is what an approve step asks and who decided: every accepted
// decision, in order.
type Approval struct {
	Runbook      string      `json:"runbook,omitempty"` // NAME@VERSION
	Since        time.Time   `json:"since,omitzero"`    // when the wait began
	Approvers    []string    `json:"approvers"`         // user:NAME, group:NAME
	MinApprovals int         `json:"minApprovals"`
	Message      string      `json:"message,omitempty"`
	Requester    string      `json:"requester,omitempty"` // never counts
	Deadline     time.Time   `json:"deadline"`
	Decisions    []*Decision `json:"decisions,omitempty"`
	// Request identifies this request for approval: a hash of the run,
	// the step, when it began waiting, the plan's digest and the params.
	// A decision must name it, so it counts only for what its decider
	// was shown (Digest is the plan's digest, Params the params).
	Request string         `json:"request,omitempty"`
	Digest  string         `json:"digest,omitempty"`
	Params  map[string]any `json:"params,omitempty"`
}

// Decision is the argument of the approve and reject updates and, once
// accepted, their record: Decision and Time are set by the workflow.
type Decision struct {
	// Step names the waiting step ("" when only one waits); a step in a
	// forEach is "LOOP[INDEX].STEP".
	Step     string    `json:"step,omitempty"`
	Identity string    `json:"identity"`
	Groups   []string  `json:"groups,omitempty"`
	Comment  string    `json:"comment,omitempty"`
	Decision string    `json:"decision,omitempty"` // approve, reject
	Time     time.Time `json:"time,omitzero"`
	// Request is the Approval.Request the decider was shown.
	Request string `json:"request,omitempty"`
}

// StepError is why a step failed: the AWS error code (or the engine's own
// type) and its message.
type StepError struct {
	Type    string `json:"type,omitempty"` // ThrottlingException, AssertionFailed, ...
	Message string `json:"message"`
}

func (e *StepError) Error() string { return e.Message }

// Outcome is the workflow's result (and what the "state" query returns
// while it runs).
type Outcome struct {
	Status  string         `json:"status"`
	Outputs map[string]any `json:"outputs,omitempty"`
	Steps   []*StepRecord  `json:"steps"`
	// Failed names the step that failed the execution, with Error.
	Failed  string     `json:"failed,omitempty"`
	Error   *StepError `json:"error,omitempty"`
	Message string     `json:"message,omitempty"` // of fail, succeed or conclude
	// Playbooks: the nodes in the order they ran, the finding they
	// concluded with, and the routing evidence gathered before it.
	Path     []string    `json:"path,omitempty"`
	Finding  *Finding    `json:"finding,omitempty"`
	Evidence []*Evidence `json:"evidence,omitempty"`
	// DryRun lists, in a dry run, what would have acted.
	DryRun []*DryCall `json:"dryRun,omitempty"`
	// SecretOutputs names the outputs that hold a secret: shown as ***,
	// and secrets of the parent that reads them. Seal: the execution
	// knows a secret (the outcome's payload is encrypted).
	SecretOutputs []string `json:"secretOutputs,omitempty"`
	Seal          bool     `json:"seal,omitempty"`
}

// DryCall is one step a dry run did not let act: the call with its
// resolved input, and what happened instead.
type DryCall struct {
	Step  string         `json:"step"`
	Kind  string         `json:"kind"`
	Op    string         `json:"op,omitempty"`
	Input map[string]any `json:"input,omitempty"`
	Note  string         `json:"note"`
}

// QueryState is the name of the query that returns the execution's
// Outcome so far.
const QueryState = "state"
