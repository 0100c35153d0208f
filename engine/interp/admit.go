package interp

import (
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Catalog is what a worker that runs only its catalog's plans runs: the
// digests of the plans it was given (its definitions, lowered as the CLI
// lowers them) and of the runbooks they pin (run steps, recommendations),
// which their digest covers. Params are not in a digest: they are
// checked against the plan's declarations when it starts. A Catalog is
// safe for concurrent use; Set replaces its plans while the worker runs.
type Catalog struct {
	digests atomic.Pointer[map[string]string] // digest -> NAME@VERSION
	log     *slog.Logger                      // refusals; nil: not logged
}

// NewCatalog returns the catalog of plans (routing files aside), which
// logs its refusals to log (when not nil).
func NewCatalog(plans []*engine.Plan, log *slog.Logger) *Catalog {
	c := &Catalog{log: log}
	c.Set(plans)
	return c
}

// Set makes plans the catalog's, in place of the previous ones.
func (c *Catalog) Set(plans []*engine.Plan) {
	m := map[string]string{}
	var add func(p *engine.Plan)
	add = func(p *engine.Plan) {
		if p == nil || p.Kind == engine.KindRouting {
			return
		}
		m[p.Digest] = p.Name + "@" + p.Version
		for _, s := range pinning(p) {
			add(s.Child)
		}
	}
	for _, p := range plans {
		add(p)
	}
	c.digests.Store(&m)
}

// pinning returns the steps of p, at every depth, that pin a child plan.
func pinning(p *engine.Plan) []*engine.PlanStep {
	var out []*engine.PlanStep
	var walk func([]*engine.PlanStep)
	walk = func(steps []*engine.PlanStep) {
		for _, s := range steps {
			if s.Child != nil {
				out = append(out, s)
			}
			walk(s.Steps)
		}
	}
	walk(p.Steps)
	walk(p.Finally)
	return out
}

// Queues are the task queues p and the plans it pins run on, p's first.
func Queues(p *engine.Plan) []string {
	out := []string{p.Queue()}
	for _, s := range pinning(p) {
		for _, q := range Queues(s.Child) {
			if !slices.Contains(out, q) {
				out = append(out, q)
			}
		}
	}
	return out
}

// Len is the number of plans the catalog holds, pinned ones included.
func (c *Catalog) Len() int { return len(*c.digests.Load()) }

// Has reports whether a plan of digest d is in the catalog.
func (c *Catalog) Has(d string) bool {
	_, ok := (*c.digests.Load())[d]
	return ok
}

// refusal is why the execution in may not run on this worker; "" when
// it may: always without a catalog; for a child execution (only a
// workflow can start one, and the interpreter starts only the plans its
// own plan pins, admitted with it where the parent started, even if this
// catalog has changed since); else when its content's digest is in the
// catalog and is the digest it claims. The digest is computed here: the
// one the plan carries is the client's word.
func (c *Catalog) refusal(in engine.Input, child bool, id string) string {
	if c == nil || child {
		return ""
	}
	if in.Plan == nil {
		return "the execution has no plan"
	}
	p := in.Plan
	d := engine.Digest(p)
	var reason string
	switch {
	case p.Digest != d:
		reason = fmt.Sprintf("plan %s@%s claims digest %s but its content's is %s: it was changed after validation", p.Name, p.Version, p.Digest, d)
	case !c.Has(d):
		reason = fmt.Sprintf("plan %s (%s@%s) is not in this worker's catalog: add its definition with --catalog DIR, or start the worker with --catalog-only=false", d, p.Name, p.Version)
	default:
		return ""
	}
	if c.log != nil {
		c.log.Warn("plan refused", "execution", id, "digest", d, "runbook", p.Name+"@"+p.Version, "startedBy", in.StartedBy, "trigger", in.Trigger, "reason", reason)
	}
	return reason
}

// MetricPlansRefused counts the executions refused because the worker's
// catalog does not hold their plan (see Catalog).
const MetricPlansRefused = "runbook_plans_refused"

// admit fails an execution whose plan this worker's catalog refuses (see
// Catalog), before anything runs: not even its finally steps.
//
// Where: at the start of the workflow, in a SideEffect. The catalog is
// the worker's own state, which differs between workers and changes
// when a worker restarts with new definitions; read in plain workflow
// code (or by a workflow interceptor) it would make a replay take
// another path than the recorded one, and an execution admitted before a
// catalog update would fail its next workflow task, on every retry.
// SideEffect records the verdict in the history: replays read it, and a
// refusal is an ordinary workflow failure, final at once, whose reason
// `runbook run`, watch and status print. Executions started before this
// check (no marker in their history: DefaultVersion) go on unchecked.
// The verdict is recorded on every worker, catalog or not, so that the
// histories of all workers have the same shape.
func admit(ctx workflow.Context, in engine.Input, c *Catalog) error {
	if workflow.GetVersion(ctx, "catalog-admission", workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	info := workflow.GetInfo(ctx)
	child, id := info.ParentWorkflowExecution != nil, info.WorkflowExecution.ID
	var reason string
	if err := workflow.SideEffect(ctx, func(workflow.Context) any { return c.refusal(in, child, id) }).Get(&reason); err != nil {
		return err
	}
	if reason == "" {
		return nil
	}
	workflow.GetMetricsHandler(ctx).Counter(MetricPlansRefused).Inc(1)
	out := &engine.Outcome{Status: engine.StatusFailed, Steps: []*engine.StepRecord{}, Error: &engine.StepError{Type: "NotInCatalog", Message: reason}}
	return temporal.NewNonRetryableApplicationError(reason, engine.StatusFailed, nil, out)
}

// Option configures the interpreter workflow (Register, Workflow).
type Option func(*config)

type config struct {
	catalog   *Catalog
	publicURL string // WithPublicURL
}

// WithCatalog makes the workflow run only the plans of c: any other
// execution fails at once (see Catalog). Without it, any plan runs.
func WithCatalog(c *Catalog) Option {
	return func(cf *config) { cf.catalog = c }
}
