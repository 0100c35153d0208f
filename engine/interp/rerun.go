package interp

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/workflow"
)

// reused reports whether a retry reuses step s's recorded outputs instead
// of running it: a top-level step's first visit, listed in Input.Reuse.
func (it *interp) reused(ctx workflow.Context, s *engine.PlanStep, sc *frame, visit int) (map[string]any, bool) {
	if len(it.in.Reuse) == 0 || sc != it.root || visit != 1 {
		return nil, false
	}
	outs, ok := it.in.Reuse[s.Name]
	if !ok || workflow.GetVersion(ctx, "retry-reuse", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, false
	}
	return outs, true
}

// RetryInput is the input of an execution that retries a failed one (in,
// with outcome out) from step from ("" for the step that failed): the
// same pinned plan and params, and the outputs of the top-level steps
// recorded before from, which it reuses instead of running them again.
// Steps that wait for approval (of the kinds ks) are never reused: a
// retry asks again, and neither in's requester nor the retry's, requester,
// may approve it.
func RetryInput(ks engine.Kinds, in engine.Input, out *engine.Outcome, id, from, requester string) (engine.Input, error) {
	if from == "" {
		from, _, _ = strings.Cut(out.Failed, "[") // a step in a forEach: the loop
		from, _, _ = strings.Cut(from, ".")
	}
	if from == "" {
		return engine.Input{}, fmt.Errorf("%s has no failed step: name one with --from", id)
	}
	kinds := map[string]string{}
	for _, s := range append(append([]*engine.PlanStep{}, in.Plan.Steps...), in.Plan.Finally...) {
		kinds[s.Name] = s.Kind
	}
	if _, ok := kinds[from]; !ok {
		var names []string
		for _, s := range in.Plan.Steps {
			names = append(names, s.Name)
		}
		return engine.Input{}, fmt.Errorf("%s has no top-level step %s (its steps: %s)", in.Plan.Name, from, strings.Join(names, ", "))
	}
	reuse := map[string]map[string]any{}
	reached := false
	for _, r := range out.Steps {
		if r.Name == from {
			reached = true
			break
		}
		kind, top := kinds[r.Name]
		if k := ks.Lookup(kind); !top || k != nil && k.Runs == engine.RunsApproval || (r.Status != engine.StatusSucceeded && r.Status != engine.StatusSkipped) {
			continue
		}
		if _, seen := reuse[r.Name]; !seen {
			reuse[r.Name] = r.Outputs
			if r.Status == engine.StatusSucceeded && r.Outputs == nil {
				reuse[r.Name] = map[string]any{}
			}
		}
	}
	if !reached {
		return engine.Input{}, fmt.Errorf("step %s did not run in %s: retry from a step it reached", from, id)
	}
	return engine.Input{Plan: in.Plan, Params: in.Params, StartedBy: in.StartedBy, RetriedBy: requester, Trigger: "retry", Alarm: in.Alarm, RetryOf: id, Incident: cmp.Or(in.Incident, id), Reuse: reuse}, nil
}
