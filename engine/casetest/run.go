package casetest

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Result is how a test case went: passed, or the problems that failed
// it; the outcome; how long it took on the wall clock (Wall) and in the
// workflow's time (Took); the routing edges it took (Edge.ID).
type Result struct {
	Name     string
	Pass     bool
	Problems []string
	Outcome  *engine.Outcome
	Wall     time.Duration
	Took     time.Duration
	Taken    []string
}

// testWorkflowID is the execution ID of every case: execution.id and
// idempotency tokens derive from it.
const testWorkflowID = "runbook-test"

// Run runs a case of a test file that Check found clean against p,
// in Temporal's test environment (time skips), and compares the outcome
// with what the case expects.
func Run(p *engine.Plan, c *Case) *Result {
	begin := time.Now()
	r := &caseRun{plan: p, c: c, next: map[*Canned]int{}, started: map[string]time.Time{}, waits: map[string]bool{}, decided: make([]string, len(c.Approvals))}
	res := &Result{Name: c.Name}
	out, err := r.execute()
	res.Wall = time.Since(begin)
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Problems = append(res.Problems, r.problems...)
	switch {
	case err != nil:
		res.Problems = append(res.Problems, err.Error())
	case out == nil:
		res.Problems = append(res.Problems, "the execution did not finish")
	default:
		res.Outcome, res.Took = out, r.took
		if len(r.problems) == 0 { // else the outcome differs for want of a response
			res.Problems = append(res.Problems, c.Expect.compare(out)...)
		}
		res.Taken = takenEdges(p, r.input(), out)
	}
	res.Problems = append(res.Problems, r.approvalProblems()...)
	res.Pass = len(res.Problems) == 0
	return res
}

// caseRun is one case running: the canned responses handed out so far,
// the approvals sent and what became of them, the problems met.
type caseRun struct {
	interceptor.WorkerInterceptorBase
	plan *engine.Plan
	c    *Case
	env  *testsuite.TestWorkflowEnvironment
	took time.Duration

	mu       sync.Mutex
	next     map[*Canned]int      // the next response of each
	started  map[string]time.Time // when each wait (workflow/activity) began
	waits    map[string]bool      // "workflow/record" of the approve steps seen waiting
	sent     []bool
	decided  []string // per approval: "" (pending), "accepted" or the refusal
	problems []string
}

func (r *caseRun) input() engine.Input {
	in := engine.Input{Plan: r.plan, Params: r.c.params, StartedBy: r.c.Requester, Trigger: "manual", Alarm: r.c.alarm}
	if in.Alarm != nil {
		in.Trigger = "alarm"
	}
	return in
}

// execute runs the workflow and returns its outcome.
func (r *caseRun) execute() (out *engine.Outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("the test environment failed: %v", p)
		}
	}()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	r.env = env
	r.sent = make([]bool, len(r.c.Approvals))
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second, Interceptors: []interceptor.WorkerInterceptor{r}})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: testWorkflowID, TaskQueue: engine.TaskQueue})
	env.SetDetachedChildWait(false)
	env.SetTestTimeout(time.Minute)
	interp.Register(env, r.c.kinds, nil)
	stand := map[string]bool{}
	for _, k := range r.c.kinds {
		if k.Activity != "" && !stand[k.Activity] {
			stand[k.Activity] = true
			env.RegisterActivityWithOptions(r.activity(k.Activity), activity.RegisterOptions{Name: k.Activity})
		}
	}
	for i, a := range r.c.Approvals {
		if a.Step.Name == "" {
			r.sent[i] = true
			env.RegisterDelayedCallback(func() { r.send(testWorkflowID, "", "", i) }, a.After)
		}
	}
	start := env.Now()
	env.ExecuteWorkflow(engine.WorkflowName, r.input())
	r.took = env.Now().Sub(start)
	if !env.IsWorkflowCompleted() {
		return nil, nil
	}
	if werr := env.GetWorkflowError(); werr != nil {
		if o := interp.OutcomeOf(werr); o != nil {
			return o, nil
		}
		return nil, fmt.Errorf("the execution failed: %v", werr)
	}
	var o engine.Outcome
	if gerr := env.GetWorkflowResult(&o); gerr != nil {
		return nil, gerr
	}
	return &o, nil
}

// problem records a problem found while the case runs.
func (r *caseRun) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	for _, p := range r.problems {
		if p == msg {
			return
		}
	}
	r.problems = append(r.problems, msg)
}

// waiting schedules the approvals of the approve steps that started
// waiting in workflow id: each entry naming the step (or, by its step
// name, a step in a forEach) is sent after its delay from the wait's
// start, at the step's first wait. It runs only in the SDK's test
// environment (runbook test), whose delayed callbacks are its own.
//
//workflowcheck:ignore
func (r *caseRun) waiting(ctx workflow.Context, out *engine.Outcome) {
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	now := workflow.Now(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range out.Steps {
		if rec.Status != engine.StatusWaiting || rec.Approval == nil || r.waits[id+"/"+rec.Name] {
			continue
		}
		r.waits[id+"/"+rec.Name] = true
		for i, a := range r.c.Approvals {
			if r.sent[i] || a.Step.Name != rec.Name && a.Step.Name != recordBase(rec.Name) {
				continue
			}
			r.sent[i] = true
			delay := max(rec.Approval.Since.Add(a.After).Sub(now), 0)
			req := rec.Approval.Request
			r.env.RegisterDelayedCallback(func() { r.send(id, rec.Name, req, i) }, delay)
		}
	}
}

// send sends approval i to workflow id's step, for the request it waits
// on, and records whether the workflow accepted it.
func (r *caseRun) send(id, step, request string, i int) {
	a := r.c.Approvals[i]
	if request == "" {
		request = r.waitingRequest()
	}
	d := engine.Decision{Step: step, Identity: a.By, Groups: a.Groups, Comment: a.Comment, Request: request}
	done := func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.decided[i] != "" {
			return
		}
		r.decided[i] = "accepted"
		if err != nil {
			r.decided[i] = "refused: " + err.Error()
		}
	}
	cb := &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   done,
		OnComplete: func(_ any, err error) { done(err) },
	}
	if err := r.env.UpdateWorkflowByID(id, a.Decision, fmt.Sprintf("approval-%d", i), cb, d); err != nil {
		done(err)
	}
}

// waitingRequest is the request of the only step waiting for approval
// now, if one is ("": the workflow refuses the decision and says why).
func (r *caseRun) waitingRequest() string {
	v, err := r.env.QueryWorkflow(engine.QueryState)
	var out engine.Outcome
	if err != nil || v.Get(&out) != nil {
		return ""
	}
	req := ""
	for _, rec := range out.Steps {
		if rec.Status == engine.StatusWaiting && rec.Approval != nil {
			if req != "" {
				return ""
			}
			req = rec.Approval.Request
		}
	}
	return req
}

// approvalProblems reports the approvals refused though not marked so,
// accepted though marked refused, or never sent.
func (r *caseRun) approvalProblems() []string {
	var out []string
	for i, a := range r.c.Approvals {
		what := fmt.Sprintf("approval %d (%s by %s", i+1, a.Decision, a.By)
		if a.Step.Name != "" {
			what += " at step " + a.Step.Name
		}
		what += ")"
		switch got := r.decided[i]; {
		case got == "" && !r.sent[i]:
			out = append(out, what+" was never sent: the step never waited")
		case got == "":
			out = append(out, what+" was not decided before the execution ended")
		case got == "accepted" && a.Refused:
			out = append(out, what+" was accepted, want refused")
		case strings.HasPrefix(got, "refused") && !a.Refused:
			out = append(out, what+" was "+got)
		}
	}
	return out
}

// InterceptWorkflow watches every execution of the case (children too).
func (r *caseRun) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	i := &caseInbound{run: r}
	i.Next = next
	return i
}

// caseInbound skips the runbooks a conclude launches (auto): the test
// does not run them, they have their own tests.
type caseInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	run *caseRun
}

func (i *caseInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	o := &caseOutbound{run: i.run}
	o.Next = outbound
	return i.Next.Init(o)
}

func (i *caseInbound) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	if len(in.Args) == 1 {
		if x, ok := in.Args[0].(engine.Input); ok && x.Trigger == "recommend" {
			return &engine.Outcome{Status: engine.StatusSucceeded, Steps: []*engine.StepRecord{}, Message: "not run by runbook test"}, nil
		}
	}
	return i.Next.ExecuteWorkflow(ctx, in)
}

// caseOutbound notices approve steps starting to wait: it keeps the
// execution's state query, and reads it when the interpreter awaits with
// a timeout (only approve steps do).
type caseOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	run   *caseRun
	state func() (*engine.Outcome, error)
}

func (o *caseOutbound) SetQueryHandler(ctx workflow.Context, queryType string, handler any) error {
	if f, ok := handler.(func() (*engine.Outcome, error)); ok && queryType == engine.QueryState {
		o.state = f
	}
	return o.Next.SetQueryHandler(ctx, queryType, handler)
}

func (o *caseOutbound) AwaitWithTimeout(ctx workflow.Context, timeout time.Duration, condition func() bool) (bool, error) {
	if o.state != nil {
		if out, err := o.state(); err == nil && out != nil {
			o.run.waiting(ctx, out)
		}
	}
	return o.Next.AwaitWithTimeout(ctx, timeout, condition)
}
