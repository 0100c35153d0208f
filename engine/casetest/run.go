package casetest

import (
	"fmt"
	"log/slog"
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
			env.RegisterDelayedCallback(func() { r.send(testWorkflowID, "", shown{}, i) }, a.After)
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

// caseOutbound notices human steps starting to wait: it keeps the
// execution's state query, and reads it when the interpreter awaits with
// a timeout (only human steps do).
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
	o.notice(ctx)
	return o.Next.AwaitWithTimeout(ctx, timeout, condition)
}

// AwaitWithOptions: manual and ask steps wait so (a timer summary).
func (o *caseOutbound) AwaitWithOptions(ctx workflow.Context, opts workflow.AwaitOptions, condition func() bool) (bool, error) {
	o.notice(ctx)
	return o.Next.AwaitWithOptions(ctx, opts, condition)
}

// notice reads the execution's state and schedules the decisions of
// the human steps that started waiting.
func (o *caseOutbound) notice(ctx workflow.Context) {
	if o.state != nil {
		if out, err := o.state(); err == nil && out != nil {
			o.run.waiting(ctx, out)
		}
	}
}
