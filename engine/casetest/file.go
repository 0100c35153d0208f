package casetest

import (
	"time"

	"github.com/runbook-dev/runbook/engine"
	"gopkg.in/yaml.v3"
)

// File is a runbook test file, NAME.test.yaml beside the definition
// NAME.yaml: cases that run the definition on Temporal's test environment
// (time skips: a 24-hour approval timeout takes milliseconds) with canned
// responses in place of AWS, HTTP and scripts.
//
//	definition: other.yaml     # optional: the definition, relative to this file
//	cases:
//	  - name: fails over after approval        # required, unique in the file
//	    params: {ClusterId: prod-db}           # checked as `runbook run` checks them
//	    requester: tester                      # who starts it (default tester); never approves
//	    alarm: {name: db-cpu, state: ALARM}    # the alarm event, when a trigger is tested
//	    calls:                                 # canned responses, per step or per operation
//	      describe: {result: {DBClusters: [{Status: available}]}}
//	      rds:FailoverDBCluster: [{error: {code: InvalidDBClusterStateFault, message: busy}}, {result: {}}]
//	      count: {outputs: {n: 3}}             # the step's outputs, set directly
//	    http:                                  # http steps: the response itself
//	      notify: {status: 200, json: {ok: true}}
//	    approvals:                             # or people: the decisions people send, in order
//	      - {step: approval, by: alice, groups: [dba-oncall], after: 5m, decision: approve, comment: ok}
//	      - {step: approval, by: tester, refused: true}
//	      - {step: drain, by: alice, decision: done, note: drained, checked: [Traffic drained]}
//	      - {step: saw, by: bob, decision: answer, answer: {errorsInLogs: "yes"}}
//	    expect:
//	      status: succeeded                    # failed, timedOut or cancelled; failed when failed/error is set
//	      failed: approval                     # the step that failed the execution
//	      error: Rejected                      # its error type (an AWS error code, AssertionFailed, Timeout, ...)
//	      message: rejected by bob             # text in the error (or the fail/succeed/conclude message)
//	      path: [describe, approval, failover] # the top-level steps that ran, in order (skipped ones aside)
//	      steps: {healthy: skipped}            # statuses of step records ("loop[0].step" inside forEach)
//	      outputs: {writer: db-1}              # the execution's outputs (only those listed)
//	      finding: {node: hostIssue, severity: high, finding: the host, recommend: ec2-restart@1.0.0}
//
// A canned response is one of:
//   - {result: DATA}: what the call returned. For aws, waitFor and the
//     mapping form of assert, the operation's output as a runbook reads it
//     (result.X), checked against the SDK's output type like any output
//     path; for http {status, headers, body, json} (status 200 by default;
//     json from body or body from json when only one is given); for script
//     {stdout, stderr, exitCode}. The step's outputs and until (condition)
//     are evaluated on it as the real activity does.
//   - {outputs: {NAME: VALUE}}: the step's outputs, set directly (what an
//     execution's history records; `runbook test --record` writes these),
//     with met: false for a wait or check whose condition did not hold.
//   - {error: CODE} or {error: {code, message, retryable}}: the call fails
//     with that error type; a retryable error is retried as the step's
//     retry policy says (read-only calls: 3 attempts).
//
// calls.KEY names a step, or an operation (service:Operation) for every
// step that calls it without a key of its own. Steps of the runbooks that
// run steps start (child executions, run in the same test environment) are
// found by their names too. A list gives successive calls (attempts,
// polls, loop iterations) successive responses; the last one repeats. A
// waitFor step polls through its responses until its until holds; when
// the last one does not, it waits until its timeout (time skips) and
// fails with Timeout. A human step's key answers its notification
// (which succeeds when not given). A call with no canned response fails
// the case: "step X calls rds:DescribeDBClusters: no canned response; add
// calls.X".
//
// An entry of approvals (or people, the same list under a name that fits
// all of its entries) is sent as the workflow's own update by `by` with
// its groups, `after` (default 0) from when the step starts waiting: the
// workflow's rules apply, so a refused entry (the requester approving,
// someone not listed, a done that leaves a checklist item unconfirmed, an
// answer that does not fit the fields) fails the case unless it says
// refused: true. Its decision is approve (the default) or reject for an
// approve step, done for a manual step (with a note, and the checklist
// items confirmed: checked omitted or `all` confirms every item, a list
// exactly those), answer for an ask step (answer: {FIELD: VALUE}, checked
// against the step's fields). Without decision an entry takes its step's:
// answer for an ask step, done for a manual one, approve otherwise. An
// ask step nobody answers takes its default answer at its timeout (time
// skips), else fails with TimedOut; so does a manual step nobody marks
// done. Inside a forEach name the item's step: loop[0].approval. Without
// step, after counts from the start. Entries for a step are sent at its
// first wait. A runbook that a playbook's conclude launches with auto is
// not run: it has its own tests.
type File struct {
	Path       string
	Src        []byte
	Definition engine.Ident // the definition's file when not NAME.yaml
	Cases      []*Case
}

// Case is one case of a test file.
type Case struct {
	Name      string
	Pos       engine.Pos
	Params    *engine.Value // a map; nil for none
	Requester string
	Alarm     *engine.Value
	Calls     []*Canned
	Approvals []*Approval
	Expect    Expect

	params map[string]any // typed by Check
	kinds  engine.Kinds   // the kinds Check knew
	alarm  map[string]any
}

// Canned holds the canned responses of one step or operation (calls.KEY,
// or http.KEY for an http step).
type Canned struct {
	Key       string
	Pos       engine.Pos
	HTTP      bool
	Responses []*Response
}

// Response is one canned response: Result, Outputs or Error.
type Response struct {
	Pos     engine.Pos
	Result  *engine.Value
	Outputs *engine.Value
	Met     *bool
	Error   *CannedError

	data map[string]any // the result as the activity sees it, per call (service:Operation, http, script)
	outs map[string]any
}

// CannedError is a canned failure: an error type (an AWS error code) and
// its message.
type CannedError struct {
	Code      string
	Message   string
	Retryable bool
}

// Approval is a decision a case sends to a human step: approve or reject
// (an approve step), done (manual), answer (ask).
type Approval struct {
	Pos      engine.Pos
	Step     engine.Ident
	By       string
	Groups   []string
	After    time.Duration
	Decision string // engine.UpdateApprove, UpdateReject, UpdateDone or UpdateAnswer; "" until Check takes the step's
	Comment  string // a rejection's comment, a done's note
	Checked  []engine.Ident
	// Listed says Checked lists the items confirmed; else every item of
	// the checklist is.
	Listed  bool
	Answer  *engine.Value // a map: the answer's fields
	Refused bool

	keys map[string]engine.Pos // the keys given, for Check
}

// Expect is what a case expects of the outcome. Unset fields are not
// checked, but Status: succeeded unless failed or error is given.
type Expect struct {
	Pos     engine.Pos
	Status  engine.Ident
	Failed  engine.Ident
	Error   engine.Ident
	Message engine.Ident
	Path    []engine.Ident
	HasPath bool
	Steps   []*engine.Entry // record name -> status (a string Value)
	Outputs *engine.Value
	Finding *engine.Value // {node, severity, finding, recommend}
}

var (
	testFileFields     = []string{"definition", "cases"}
	testCaseFields     = []string{"name", "description", "params", "requester", "alarm", "calls", "http", "approvals", "people", "expect"}
	testResponseFields = []string{"result", "outputs", "met", "error"}
	testErrorFields    = []string{"code", "message", "retryable"}
	testApprovalFields = []string{"step", "by", "groups", "after", "decision", "comment", "note", "checked", "answer", "refused"}
	testExpectFields   = []string{"status", "failed", "error", "message", "path", "steps", "outputs", "finding"}
	testFindingFields  = []string{"node", "severity", "finding", "recommend"}
)

// testDoc is what a test file holds, for Parse's messages.
var testDoc = engine.Doc{Noun: "test file", Start: "lists its cases under `cases:`", Shape: "a YAML mapping with `cases:`"}

// testLoader reads a test file's parts, each keeping its position.
type testLoader struct{ *engine.Reader }

// Load parses a test file, keeping every position. It returns the
// file (nil when it is no readable YAML mapping) and every diagnostic;
// Check finds the rest against the definition.
func Load(path string, src []byte) (*File, engine.Diagnostics) {
	l := &testLoader{engine.NewReader(path, src)}
	root := l.Parse(testDoc)
	if root == nil {
		return nil, l.Diags
	}
	tf := &File{Path: path, Src: src}
	names := map[string]bool{}
	saw := false
	for _, p := range l.Mapping(root, "the test file", testFileFields) {
		switch p.Key {
		case "definition":
			tf.Definition = l.Ident(p.V, "definition")
		case "cases":
			saw = true
			if p.V.Kind != yaml.SequenceNode {
				l.Errorf(p.V, "cases must be a list, not %s", engine.Describe(p.V))
				continue
			}
			for _, n := range p.V.Content {
				c := l.testCase(n)
				if c.Name != "" && names[c.Name] {
					l.Diags.Errorf(c.Pos, "duplicate case name %q", c.Name)
				}
				names[c.Name] = true
				tf.Cases = append(tf.Cases, c)
			}
		}
	}
	if !saw {
		l.Errorf(root, "a test file lists its cases under `cases:`")
	}
	return tf, l.Diags
}
