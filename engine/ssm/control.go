package ssm

import (
	"regexp"
	"strconv"
	"strings"
)

// approve translates aws:approve when its approvers are written in the
// document: v1 names approvers literally, so approvers given by a
// parameter cannot be carried over.
func (t *translator) approve(s *ssmStep, name string) ([]*step, error) {
	var approvers []string
	list, ok := s.Inputs["Approvers"].([]any)
	if !ok {
		return nil, unsupported("approve: approvers come from a parameter (v1 names them literally)", toString(s.Inputs["Approvers"]))
	}
	for _, a := range list {
		as, _ := a.(string)
		if as == "" || strings.Contains(as, "{{") {
			return nil, unsupported("approve: approvers come from a parameter (v1 names them literally)", as)
		}
		approvers = append(approvers, principal(as))
	}
	ap := &approve{Approvers: approvers}
	if n, ok := s.Inputs["MinRequiredApprovals"]; ok {
		if ap.MinApprovals = number(n); ap.MinApprovals == 0 {
			return nil, unsupported("approve: MinRequiredApprovals from a parameter", toString(n))
		}
	}
	if m, ok := s.Inputs["Message"].(string); ok {
		msg, err := t.text(m)
		if err != nil {
			return nil, err
		}
		ap.Message = msg
	}
	if n, ok := s.Inputs["NotificationArn"].(string); ok && n != "" {
		arn, err := t.text(n)
		if err != nil {
			return nil, err
		}
		ap.Notify = map[string]any{"sns": arn}
	}
	return []*step{{Name: name, Approve: ap}}, nil
}

// principal names an IAM user, group or role ARN (or a user name) as a
// v1 approver.
func principal(a string) string {
	kind := "user"
	if strings.Contains(a, ":group/") {
		kind = "group"
	}
	if i := strings.LastIndexByte(a, '/'); i >= 0 {
		a = a[i+1:]
	}
	return kind + ":" + a
}

// isoDuration matches the ISO 8601 durations SSM's sleep takes (PT1H30M,
// PT0.5S), with references in place of numbers.
var isoDuration = regexp.MustCompile(`^PT(?:([0-9]+|\{\{[^}]*\}\})H)?(?:([0-9]+|\{\{[^}]*\}\})M)?(?:([0-9.]+|\{\{[^}]*\}\})S)?$`)

func (t *translator) sleep(s *ssmStep, name string) ([]*step, error) {
	d, ok := s.Inputs["Duration"].(string)
	if !ok {
		return nil, unsupported("sleep: only Duration (not Timestamp)", toString(s.Inputs["Timestamp"]))
	}
	if r, ok, err := t.only(strings.TrimSpace(d)); ok || err != nil {
		// A whole ISO 8601 time duration (PT1H30M) is a Go one once
		// its PT is cut and its letters lowered.
		if err != nil {
			return nil, err
		}
		return []*step{{Name: name, Sleep: "${{ lower(trimPrefix(string(" + r.expr + `), "PT")) }}`}}, nil
	}
	m := isoDuration.FindStringSubmatch(strings.TrimSpace(d))
	if m == nil || m[0] == "PT" {
		return nil, unsupported("sleep: Duration is not a literal ISO 8601 duration", d)
	}
	var b strings.Builder
	for i, unit := range []string{"h", "m", "s"} {
		if m[i+1] == "" {
			continue
		}
		v := m[i+1]
		if strings.Contains(v, "{{") {
			var err error
			if v, err = t.text(v); err != nil {
				return nil, err
			}
		} else {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, unsupported("sleep: Duration is not a literal ISO 8601 duration", d)
			}
			v = strconv.FormatFloat(f, 'f', -1, 64)
		}
		b.WriteString(v + unit)
	}
	if strings.Trim(b.String(), "0hms.") == "" {
		// PT0S waits for nothing; v1's sleep must be positive.
		return []*step{{Name: name, Log: "slept " + d}}, nil
	}
	return []*step{{Name: name, Sleep: b.String()}}, nil
}

// loopContext is the aws:loop being translated (its iterator reads as
// item).
type loopContext struct{ ssmName string }

// loopSteps translates an aws:loop over Iterators into forEach; a loop
// on a LoopCondition has no v1 form.
func (t *translator) loopSteps(s *ssmStep, name string) ([]*step, error) {
	if _, ok := s.Inputs["LoopCondition"]; ok {
		return nil, unsupported("loop: LoopCondition (v1 loops over lists only)", s.Name)
	}
	it, ok := s.Inputs["Iterators"]
	if !ok {
		return nil, unsupported("loop: no Iterators", s.Name)
	}
	var list string
	switch v := it.(type) {
	case string:
		r, err := t.expr(v)
		if err != nil {
			return nil, err
		}
		list = r.expr
	case []any:
		e, err := t.dataExpr(v)
		if err != nil {
			return nil, err
		}
		list = e
	}
	raw, _ := s.Inputs["Steps"].([]any)
	inner := decodeSteps(raw)
	if len(inner) == 0 {
		return nil, unsupported("loop: no Steps", s.Name)
	}
	outer := t.loop
	t.loop = &loopContext{ssmName: s.Name}
	defer func() { t.loop = outer }()
	each := &step{Name: name, ForEach: list}
	for i, in := range inner {
		var next *ssmStep
		if i+1 < len(inner) {
			next = inner[i+1]
		}
		// A nextStep to the step listed next, and isEnd on the last
		// step (the iteration's end), route nothing.
		if next == nil && isTrue(in.IsEnd) {
			c := *in
			c.IsEnd = nil
			in = &c
		}
		if in.NextStep != "" && (next == nil || in.NextStep != next.Name) || isTrue(in.IsEnd) || strings.HasPrefix(in.OnFailure, "step:") {
			return nil, unsupported("loop: routing inside the loop", in.Name)
		}
		out, err := t.step(in, next)
		if err != nil {
			return nil, err
		}
		each.Steps = append(each.Steps, out...)
	}
	return []*step{each}, nil
}

// pauseTimeout bounds an imported aws:pause without timeoutSeconds: SSM
// keeps a paused (or waiting) step for up to 7 days.
const pauseTimeout = "7d"

// pause translates aws:pause into an approve step: SSM waits for a Resume
// signal, which anyone allowed to send one may send; here the resumers
// (Options.Resumers) resume it by approving.
func (t *translator) pause(s *ssmStep, name string) ([]*step, error) {
	msg := "Resume the execution"
	if m, ok := s.Inputs["Message"].(string); ok && strings.TrimSpace(m) != "" {
		var err error
		if msg, err = t.text(m); err != nil {
			return nil, err
		}
	}
	ap := &approve{Approvers: t.resumers, Message: msg, Timeout: pauseTimeout}
	desc := "aws:pause: SSM waits for a Resume signal; approving resumes (" + strings.Join(t.resumers, ", ") + "; not the requester)"
	return []*step{{Name: name, Description: desc, Approve: ap}}, nil
}
