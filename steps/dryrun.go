package steps

import (
	"context"
	"errors"

	"github.com/aws/smithy-go"

	"github.com/runbook-dev/runbook/engine"
)

// dryRun makes a mutating call of a dry run: with the operation's own
// DryRun flag set when its input has one (AWS then checks permissions and
// parameters and answers DryRunOperation: would succeed), else not at
// all. inv is nil when the operation has no flag.
func (a *Activities) dryRun(ctx context.Context, c engine.Call, inv func(context.Context) (any, error)) (engine.CallResult, error) {
	if inv == nil {
		return engine.CallResult{DryRun: "not sent (" + c.Op + " has no DryRun flag)"}, nil
	}
	_, err := inv(ctx)
	var api smithy.APIError
	switch {
	case err == nil:
		return engine.CallResult{DryRun: "sent with DryRun=true; AWS answered without DryRunOperation"}, nil
	case errors.As(err, &api) && api.ErrorCode() == "DryRunOperation":
		return engine.CallResult{DryRun: "AWS checked it with DryRun=true: it would succeed"}, nil
	}
	return engine.CallResult{}, awsError(ctx, err)
}
