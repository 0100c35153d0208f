package interp

import (
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/workflow"
)

// dryRun handles, in a dry run, the kinds that would act or wait:
// approvals and sleeps are skipped, scripts and unsafe HTTP requests are
// not sent, each noted in Outcome.DryRun. AWS calls go to their activity,
// which decides (see Call.DryRun). It reports whether it handled s.
func (it *interp) dryRun(ctx workflow.Context, s *engine.PlanStep, k *engine.Kind, rec *engine.StepRecord, env map[string]any) (map[string]any, bool, error) {
	if !it.in.DryRun || workflow.GetVersion(ctx, "dry-run", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, false, nil
	}
	var note string
	var result any
	switch {
	case k == nil:
		return nil, false, nil
	case k.Runs == engine.RunsApproval:
		note = "approval skipped"
	case k.Runs == engine.RunsManual:
		note = "manual step skipped"
		result = map[string]any{"by": "", "note": "", "at": it.now().UTC().Format(time.RFC3339), "checked": []any{}}
	case k.Runs == engine.RunsAsk:
		note = "question skipped: the default answer"
		var given map[string]any
		if def := s.Arg("default"); def != nil {
			given, _ = def.Data().(map[string]any)
		}
		answer, err := engine.CheckAnswer(s.Fields, given)
		if err != nil {
			return nil, true, &engine.StepError{Type: "NoDefault", Message: "a dry run takes an ask step's default answer, and it has none: " + err.Error()}
		}
		result = answer
	case k.Runs == engine.RunsTimer:
		note = "sleep skipped"
	case k.Runs == engine.RunsActivity && k.Operation(s) == "" && !k.ReadOnly(s):
		note = "not sent"
		in, err := it.resolveArgs(s, env)
		if err != nil {
			return nil, true, err
		}
		_, target := k.Calls(s)
		it.out.DryRun = append(it.out.DryRun, &engine.DryCall{Step: rec.Name, Kind: s.Kind, Op: target, Input: in, Note: note})
	default:
		return nil, false, nil
	}
	rec.Message = "dry run: " + note
	outs, err := it.outputs(s, env, result)
	return outs, true, err
}

// dryCall notes an AWS call a dry run did not let act.
func (it *interp) dryCall(s *engine.PlanStep, rec *engine.StepRecord, c engine.Call, res *engine.CallResult) {
	if res.DryRun == "" {
		return
	}
	rec.Message = "dry run: " + res.DryRun
	it.out.DryRun = append(it.out.DryRun, &engine.DryCall{Step: rec.Name, Kind: s.Kind, Op: c.Op, Input: c.Input, Note: res.DryRun})
}
