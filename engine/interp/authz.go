package interp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
)

// MayStart says why identity, with its groups, may not start p when p
// lists starters and it is not among them; nil when it may. API starts,
// hook starts and retries ask it.
func MayStart(p *engine.Plan, identity string, groups []string) error {
	if len(p.Starters) == 0 || Matches(p.Starters, identity, groups) {
		return nil
	}
	return fmt.Errorf("%s may not start %s (starters: %s)", identity, p.Name, strings.Join(p.Starters, ", "))
}

// MayCancel reports whether identity, with its groups, may cancel an
// execution started with in: its requester (or retrier), one of its
// plan's approvers, one of its cancellers, or a member of group admins
// ("": none). When it may not, the error says who may.
func MayCancel(in engine.Input, identity string, groups []string, admins string) error {
	approvers := Approvers(in.Plan)
	me := engine.NormalIdentity(identity)
	switch {
	case me == "":
	case me == engine.NormalIdentity(in.StartedBy), in.RetriedBy != "" && me == engine.NormalIdentity(in.RetriedBy):
		return nil
	case Matches(approvers, identity, groups), Matches(in.Plan.Cancellers, identity, groups):
		return nil
	case InGroup(groups, admins):
		return nil
	}
	who := []string{"its requester " + in.StartedBy}
	if in.RetriedBy != "" {
		who = append(who, "its retrier "+in.RetriedBy)
	}
	for _, p := range slices.Concat(approvers, in.Plan.Cancellers) {
		if !slices.Contains(who, p) {
			who = append(who, p)
		}
	}
	if admins != "" {
		who = append(who, "group:"+admins)
	}
	return fmt.Errorf("%s may not cancel this execution of %s: %s may", identity, in.Plan.Name, strings.Join(who, ", "))
}

// InGroup reports whether groups hold group ("": never), compared as the
// engine normalizes identities.
func InGroup(groups []string, group string) bool {
	return group != "" && slices.Contains(engine.NormalGroups(groups), engine.NormalIdentity(group))
}

// Approvers are the principals any approval step of p (nested steps
// included) lists.
func Approvers(p *engine.Plan) []string {
	var out []string
	var walk func([]*engine.PlanStep)
	walk = func(ss []*engine.PlanStep) {
		for _, s := range ss {
			if a := s.Arg("approvers"); a != nil {
				for _, v := range a.List {
					if !slices.Contains(out, v.Str) {
						out = append(out, v.Str)
					}
				}
			}
			walk(s.Steps)
		}
	}
	if p != nil {
		walk(p.Steps)
		walk(p.Finally)
	}
	return out
}

// StartInput is the input execution id started with (its first event's),
// opened with codec c (nil: a plain input only).
func StartInput(ctx context.Context, cl client.Client, c *engine.Codec, id string) (engine.Input, error) {
	dc := converter.GetDefaultDataConverter()
	if c != nil {
		dc = engine.DataConverter(c)
	}
	var in engine.Input
	ev, err := cl.GetWorkflowHistory(ctx, id, "", false, 0).Next()
	if err != nil {
		return in, err
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if err := dc.FromPayloads(attrs.GetInput(), &in); err != nil || in.Plan == nil {
		return in, fmt.Errorf("%s is not a runbook execution: %v", id, err)
	}
	return in, nil
}
