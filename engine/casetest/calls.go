package casetest

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// The error types of a case's stand-in activities, besides those the real
// ones use (ExpressionError, HTTPStatus, ExitCode).
const (
	ErrNoCannedResponse = "NoCannedResponse"
	errTimeout          = "Timeout"
)

// activity returns the stand-in for the activity called name: it answers
// each call with the step's next canned response, evaluating the step's
// outputs (and until) on it as the real activity does.
func (r *caseRun) activity(name string) func(context.Context, engine.Call) (engine.CallResult, error) {
	return func(ctx context.Context, c engine.Call) (engine.CallResult, error) {
		info := activity.GetInfo(ctx)
		notify := strings.HasSuffix(info.ActivityID, "#notify")
		if info.ActivityID == "execution#identity" {
			return testIdentity(c), nil
		}
		resp, last := r.respond(c, name)
		if resp == nil {
			if notify {
				return engine.CallResult{}, nil
			}
			msg := fmt.Sprintf("step %s %s: no canned response; add %s.%s", c.Step, callText(name, c), cannedSection(name), c.Step)
			r.problem("%s", msg)
			return engine.CallResult{}, testError(ErrNoCannedResponse, msg, false)
		}
		switch {
		case resp.Error != nil:
			e := resp.Error
			msg := e.Code
			if e.Message != "" {
				msg += ": " + e.Message
			}
			if name == engine.ActivityWaitFor && e.Retryable { // a transient error: the wait polls on
				return engine.CallResult{}, r.pending(c, info, last)
			}
			return engine.CallResult{}, testError(e.Code, msg, e.Retryable)
		case resp.Outputs != nil:
			met := resp.Met == nil || *resp.Met
			if name == engine.ActivityWaitFor && !met {
				return engine.CallResult{}, r.pending(c, info, last)
			}
			return engine.CallResult{Outputs: maps.Clone(resp.outs), Met: met, Polls: int(info.Attempt)}, nil
		}
		key := c.Op
		if name != engine.ActivityAWS && name != engine.ActivityWaitFor { // http, script: keyed by the activity
			key = name
		}
		data, ok := resp.data[key]
		if !ok {
			msg := fmt.Sprintf("step %s %s: its canned result at %s was checked for another call", c.Step, callText(name, c), resp.Pos)
			r.problem("%s", msg)
			return engine.CallResult{}, testError(ErrNoCannedResponse, msg, false)
		}
		if err := failedResult(name, c, data); err != nil {
			return engine.CallResult{}, err
		}
		return r.evaluate(name, c, info, data, last)
	}
}

// respond hands out the next canned response of c's step, else of its
// operation (nil when there is none), and whether it is the last one,
// which repeats.
func (r *caseRun) respond(c engine.Call, name string) (*Response, bool) {
	var by *Canned
	for _, cn := range r.c.Calls {
		if cn.Key == c.Step {
			by = cn
			break
		}
		if by == nil && (name == engine.ActivityAWS || name == engine.ActivityWaitFor) && cn.Key == c.Op {
			by = cn
		}
	}
	if by == nil || len(by.Responses) == 0 {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i := min(r.next[by], len(by.Responses)-1)
	r.next[by]++
	return by.Responses[i], i == len(by.Responses)-1
}

// evaluate computes the call's outputs and until over `result` as the
// real activity does; a wait whose until does not hold polls again.
func (r *caseRun) evaluate(name string, c engine.Call, info activity.Info, data any, last bool) (engine.CallResult, error) {
	env := engine.WithKey(c.Env, "result", data)
	var res engine.CallResult
	if c.Until != nil {
		v, err := engine.Eval(c.Until, env, r.env.Now)
		if err != nil {
			return res, testError("ExpressionError", "until: "+err.Error(), false)
		}
		switch b := v.(type) {
		case bool:
			res.Met = b
		case nil:
		default:
			return res, testError("ExpressionError", fmt.Sprintf("until: %s: gives %T, not a bool", c.Until.Src, v), false)
		}
	}
	if name == engine.ActivityWaitFor {
		if !res.Met {
			return res, r.pending(c, info, last)
		}
		res.Polls = int(info.Attempt)
	}
	if len(c.Outputs) > 0 {
		outs, err := engine.EvalStepOutputs(c.Step, c.Outputs, env, r.env.Now)
		if err != nil {
			return res, testError("ExpressionError", err.Error(), false)
		}
		res.Outputs = outs
	}
	return res, nil
}

// pending is a poll of a wait whose condition does not hold: the
// activity is retried (in workflow time, which skips) after the wait's
// interval or, when the response was the last one (it repeats, so the
// condition never holds), at the wait's deadline, where it fails as a
// real wait would. Jumping keeps the attempts few: the test environment
// allows an activity without a retry limit 10.
func (r *caseRun) pending(c engine.Call, info activity.Info, last bool) error {
	key := info.WorkflowExecution.ID + "/" + info.ActivityID
	now := r.env.Now()
	r.mu.Lock()
	start, ok := r.started[key]
	if !ok || info.Attempt == 1 {
		start = now
		r.started[key] = now
	}
	r.mu.Unlock()
	delay := c.Interval
	if delay <= 0 {
		delay = 15 * time.Second
	}
	left := start.Add(info.ScheduleToCloseTimeout).Sub(now)
	if last || delay > left {
		delay = left
	}
	const msg = "the step timed out"
	if delay <= 0 {
		return testError(errTimeout, msg, false)
	}
	return temporal.NewApplicationErrorWithOptions(msg, errTimeout, temporal.ApplicationErrorOptions{NextRetryDelay: delay})
}

// failedResult is the failure a real http or script activity gives for a
// result: a status the step does not expect, a non-zero exit code.
func failedResult(name string, c engine.Call, data any) error {
	m, _ := data.(map[string]any)
	switch name {
	case engine.ActivityHTTP:
		status, _ := m["status"].(int)
		expect := expectedStatuses(c.Input["expect"])
		ok := len(expect) == 0 && status >= 200 && status < 300
		for _, s := range expect {
			ok = ok || s == status
		}
		if !ok {
			want := "2xx"
			if len(expect) > 0 {
				want = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(expect)), ", "), "[]")
			}
			return testError("HTTPStatus", fmt.Sprintf("%s: status %d, expected %s", callText(name, c), status, want), status == 429 || status >= 500)
		}
	case engine.ActivityScript:
		if code, _ := m["exitCode"].(int); code != 0 {
			msg := fmt.Sprintf("command exited with status %d", code)
			if tail, _ := m["stderr"].(string); strings.TrimSpace(tail) != "" {
				msg += "; stderr: " + strings.TrimSpace(tail)
			}
			return testError("ExitCode", msg, false)
		}
	}
	return nil
}

func expectedStatuses(v any) []int {
	var out []int
	switch x := v.(type) {
	case int:
		out = append(out, x)
	case float64:
		out = append(out, int(x))
	case []any:
		for _, e := range x {
			out = append(out, expectedStatuses(e)...)
		}
	}
	return out
}

// callText says what a call does, for messages: "calls rds:X", "sends
// POST https://host/path", "runs dig".
func callText(name string, c engine.Call) string {
	switch name {
	case engine.ActivityHTTP:
		url, _ := c.Input["url"].(string)
		url, _, _ = strings.Cut(url, "?")
		return "sends " + c.Op + " " + url
	case engine.ActivityScript:
		return "runs " + c.Op
	}
	return "calls " + c.Op
}

func cannedSection(name string) string {
	if name == engine.ActivityHTTP {
		return "http"
	}
	return "calls"
}

func testError(typ, msg string, retryable bool) error {
	return temporal.NewApplicationErrorWithOptions(msg, typ, temporal.ApplicationErrorOptions{NonRetryable: !retryable})
}

// testIdentity answers the lookup of execution.account and region in
// tests: account 123456789012, the plan's region or us-east-1.
func testIdentity(c engine.Call) engine.CallResult {
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	return engine.CallResult{Outputs: map[string]any{"account": "123456789012"}, Region: region}
}
