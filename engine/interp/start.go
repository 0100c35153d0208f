package interp

import (
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// StartOptions are the options an execution of in starts with: the
// interpreter's task queue, a readable summary, the search attributes that
// make executions findable, and the workflow ID. A definition with a lock
// gets an ID derived from its key, started with a policy that refuses a
// second start while one runs (the SDK then answers with
// serviceerror.WorkflowExecutionAlreadyStarted naming the holder); any
// other gets id.
func StartOptions(in engine.Input, id string) (client.StartWorkflowOptions, error) {
	p := in.Plan
	opts := client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             p.Queue(),
		StaticSummary:         fmt.Sprintf("%s@%s", p.Name, p.Version),
		TypedSearchAttributes: searchAttributes(in),
	}
	if in.RetryOf != "" {
		opts.StaticSummary += " (retry of " + in.RetryOf + ")"
	}
	if p.Lock == nil {
		return opts, nil
	}
	env := map[string]any{"params": in.Params, "steps": map[string]any{}, "alarm": in.Alarm,
		"execution": map[string]any{"name": p.Name, "version": p.Version, "startedBy": in.StartedBy, "trigger": in.Trigger}}
	key, err := engine.Eval(p.Lock, env, time.Now)
	if err != nil {
		return opts, fmt.Errorf("lock: %w", err)
	}
	opts.ID = fmt.Sprintf("%s-lock-%v", p.Name, key)
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
	// Without it the SDK answers a conflict with the running execution
	// instead of an error, and the lock would refuse nothing.
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	return opts, nil
}

// searchAttributes make an execution findable by runbook and trigger.
func searchAttributes(in engine.Input) temporal.SearchAttributes {
	p := in.Plan
	updates := []temporal.SearchAttributeUpdate{
		temporal.NewSearchAttributeKeyKeyword(engine.AttrName).ValueSet(p.Name),
		temporal.NewSearchAttributeKeyKeyword(engine.AttrVersion).ValueSet(p.Version),
		temporal.NewSearchAttributeKeyKeyword(engine.AttrKind).ValueSet(p.Kind),
		temporal.NewSearchAttributeKeyKeyword(engine.AttrTrigger).ValueSet(in.Trigger),
	}
	if name, ok := in.Alarm["name"].(string); ok && name != "" {
		updates = append(updates, temporal.NewSearchAttributeKeyKeyword(engine.AttrAlarm).ValueSet(name))
	}
	return temporal.NewSearchAttributes(updates...)
}
