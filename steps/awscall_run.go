package steps

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// The ApplicationError types of the engine's own failures; an AWS API
// error has the service's error code as its type.
const (
	ErrInvalidInput    = "InvalidInput"    // unknown operation, input that does not convert, no until
	ErrExpressionError = "ExpressionError" // an output or until failed to evaluate
	ErrAWS             = "AWSError"        // an AWS SDK failure that is no API error (network, endpoint)
)

// defaultWaitInterval is waitFor's interval when the plan gives none.
const defaultWaitInterval = 15 * time.Second

// Call makes one AWS call and evaluates c's outputs (and Until, into Met)
// on its result. An AWS API error becomes an ApplicationError whose type is
// the error code and whose message is "CODE: message", retryable only for
// throttling, 5xx and transient network errors.
func (a *Activities) Call(ctx context.Context, c engine.Call) (engine.CallResult, error) {
	inv, err := a.prepare(ctx, c)
	if err != nil {
		return engine.CallResult{}, err
	}
	if c.DryRun {
		return a.dryRun(ctx, c, inv)
	}
	stop := keepAlive(ctx)
	data, err := inv(ctx)
	stop()
	if err != nil {
		return engine.CallResult{}, awsError(ctx, err)
	}
	env := callEnv(c, data)
	res := engine.CallResult{Secrets: secretValues(c.Op, data), Seal: c.Seal, Region: a.region(c)}
	if c.Until != nil {
		if res.Met, err = until(c, env); err != nil {
			return engine.CallResult{}, err
		}
	}
	if res.Outputs, err = outputs(c, env); err != nil {
		return engine.CallResult{}, err
	}
	return res, nil
}

// WaitProgress is WaitFor's heartbeat detail: the polls so far and the
// last value of Until (nil when the last poll failed with a transient
// error, then in Error). A timed-out wait carries it as its last heartbeat.
type WaitProgress struct {
	Polls int    `json:"polls"`
	Until any    `json:"until"`
	Error string `json:"error,omitempty"`
}

// WaitFor calls the operation every c.Interval until c.Until holds, then
// evaluates the outputs on that result. It heartbeats a WaitProgress after
// every poll (and resumes its poll count from one); transient and
// throttling errors are tolerated, others fail the wait. Its deadline is
// the activity's timeout.
func (a *Activities) WaitFor(ctx context.Context, c engine.Call) (engine.CallResult, error) {
	if c.Until == nil {
		return engine.CallResult{}, nonRetryable(ErrInvalidInput, "waitFor needs an until condition")
	}
	inv, err := a.prepare(ctx, c)
	if err != nil {
		return engine.CallResult{}, err
	}
	if c.DryRun {
		return a.dryRun(ctx, c, inv)
	}
	interval := c.Interval
	if interval <= 0 {
		interval = defaultWaitInterval
	}
	var p WaitProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p) // a fresh count if unreadable
	}
	for {
		data, err := inv(ctx)
		p.Polls++
		if err != nil {
			if ctx.Err() != nil || !transient(err) {
				return engine.CallResult{}, awsError(ctx, err)
			}
			p.Until, p.Error = nil, err.Error()
		} else {
			env := callEnv(c, data)
			met, err := until(c, env)
			if err != nil {
				return engine.CallResult{}, err
			}
			if met {
				outs, err := outputs(c, env)
				if err != nil {
					return engine.CallResult{}, err
				}
				return engine.CallResult{Outputs: outs, Met: true, Polls: p.Polls, Secrets: secretValues(c.Op, data), Seal: c.Seal}, nil
			}
			p.Until, p.Error = met, ""
		}
		activity.RecordHeartbeat(ctx, p)
		if err := pause(ctx, interval, p); err != nil {
			return engine.CallResult{}, err
		}
	}
}

// pause waits d, heartbeating p at half the heartbeat timeout when that is
// shorter, and returns early with ctx's error.
func pause(ctx context.Context, d time.Duration, p WaitProgress) error {
	t := time.NewTimer(d)
	defer t.Stop()
	var tick <-chan time.Time
	if hb := activity.GetInfo(ctx).HeartbeatTimeout / 2; hb > 0 && hb < d {
		tk := time.NewTicker(hb)
		defer tk.Stop()
		tick = tk.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		case <-tick:
			activity.RecordHeartbeat(ctx, p)
		}
	}
}

// prepare resolves c's operation, builds its input and client, and returns
// the call, which gives the response as data.
func (a *Activities) prepare(ctx context.Context, c engine.Call) (func(context.Context) (any, error), error) {
	op, err := AWS().Operation(c.Op)
	if err != nil {
		return nil, nonRetryable(ErrInvalidInput, err.Error())
	}
	s := AWS().services[op.Service]
	m := s.load().methods[op.Name]
	v, err := engine.FromData(c.Input, op.Input)
	if err != nil {
		return nil, nonRetryable(ErrInvalidInput, fmt.Sprintf("%s input: %v", c.Op, err))
	}
	in := reflect.New(op.Input)
	in.Elem().Set(v)
	if c.DryRun {
		if fv := in.Elem().FieldByName("DryRun"); fv.IsValid() && fv.Type() == reflect.TypeFor[*bool]() {
			fv.Set(reflect.ValueOf(aws.Bool(true)))
		} else {
			return nil, nil // not sent: see dryRun
		}
	}
	if c.Token != "" {
		if name := engine.TokenField(op.Input); name != "" {
			if fv := in.Elem().FieldByName(name); fv.IsNil() {
				fv.Set(reflect.ValueOf(&c.Token))
			}
		}
	}
	client := a.client(ctx, s, c)
	return func(ctx context.Context) (any, error) {
		out := m.Func.Call([]reflect.Value{client, reflect.ValueOf(ctx), in})
		if err, _ := out[1].Interface().(error); err != nil {
			return nil, err
		}
		return engine.ToData(out[0].Interface()), nil
	}, nil
}

// client returns s's client for c's region and role (its STS session
// named for the execution), building it once.
func (a *Activities) client(ctx context.Context, s *awsService, c engine.Call) reflect.Value {
	region := a.region(c)
	session := ""
	if c.AssumeRole != "" {
		session = stsSession(ctx, c)
	}
	key := s.name + "|" + region + "|" + c.AssumeRole + "|" + session
	return a.clients.get(key, func() any {
		cfg := a.cfg.Copy()
		cfg.Region = region
		if c.AssumeRole != "" {
			cfg.Credentials = a.assumed(cfg, c.AssumeRole, session)
		}
		cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
		cfg.RetryMaxAttempts, cfg.RetryMode = 0, ""
		return reflect.ValueOf(s.newFn(cfg))
	}).(reflect.Value)
}

// assumed returns cached credentials of role, assumed with STS in cfg's
// region under the given session name.
func (a *Activities) assumed(cfg aws.Config, role, session string) aws.CredentialsProvider {
	return a.creds.get(cfg.Region+"|"+role+"|"+session, func() any {
		return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role,
			func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = session }))
	}).(aws.CredentialsProvider)
}

// callEnv is what outputs and Until read: c.Env and the result.
func callEnv(c engine.Call, data any) map[string]any {
	return engine.WithKey(c.Env, "result", data)
}

func outputs(c engine.Call, env map[string]any) (map[string]any, error) {
	if len(c.Outputs) == 0 {
		return nil, nil
	}
	outs, err := engine.EvalStepOutputs(c.Step, c.Outputs, env, time.Now)
	if err != nil {
		return nil, nonRetryable(ErrExpressionError, err.Error())
	}
	return outs, nil
}

func until(c engine.Call, env map[string]any) (bool, error) {
	v, err := engine.Eval(c.Until, env, time.Now)
	if err != nil {
		return false, nonRetryable(ErrExpressionError, "until: "+err.Error())
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, nonRetryable(ErrExpressionError, fmt.Sprintf("until: %s: gives %T, not a bool", c.Until.Src, v))
}

func nonRetryable(typ, msg string) error {
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{NonRetryable: true})
}

var awsRetryables = retry.IsErrorRetryables(retry.DefaultRetryables)

// transient reports whether err is worth retrying by the SDK's own rules:
// throttling, 5xx and 429 responses, transient network errors.
func transient(err error) bool {
	return awsRetryables.IsErrorRetryable(err) == aws.TrueTernary
}

// awsError turns an SDK error into the activity's error: an ApplicationError
// typed by the AWS error code, retryable when transient. A cancelled or
// timed-out activity returns ctx's error.
func awsError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	opts := temporal.ApplicationErrorOptions{NonRetryable: !transient(err)}
	var api smithy.APIError
	if errors.As(err, &api) {
		msg := api.ErrorCode()
		if m := api.ErrorMessage(); m != "" {
			msg += ": " + m
		}
		return temporal.NewApplicationErrorWithOptions(msg, api.ErrorCode(), opts)
	}
	if missing := awsRequiredMissing(err); missing != nil {
		return nonRetryable(ErrInvalidInput, "input misses required "+strings.Join(missing, ", "))
	}
	var invalid smithy.InvalidParamsError
	if errors.As(err, &invalid) {
		return nonRetryable(ErrInvalidInput, strings.Join(strings.Fields(err.Error()), " "))
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), ErrAWS, opts)
}

// region is the region of c's call: its own, else the AWS configuration's.
func (a *Activities) region(c engine.Call) string {
	if c.Region != "" {
		return c.Region
	}
	return a.cfg.Region
}
