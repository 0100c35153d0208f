package engine

import (
	"cmp"
	"slices"
	"strings"
)

// redacted stands for a secret value.
const redacted = "***"

// minSecretInText is the length from which a secret is also hidden
// inside longer strings (a header, a command line); a shorter one only
// where a value equals it.
const minSecretInText = 4

// redact hides, everywhere in t, the secret params (of the execution and
// of its children) and secret outputs by name, and any value equal to
// one of theirs or to extra (what secret-bearing calls returned, outputs
// the execution found holding a secret).
func redact(t *Timeline, p *Plan, children map[int64]*Child, extra []any) {
	r := &redactor{}
	for _, pp := range p.Params {
		if v, ok := t.Params[pp.Name]; pp.Secret && ok {
			r.collect(v)
		} else if pp.Secret {
			r.collect(pp.Default)
		}
	}
	for _, c := range children {
		if c.plan != nil {
			for _, pp := range c.plan.Params {
				if pp.Secret {
					r.collect(c.Params[pp.Name])
				}
			}
		}
	}
	outSecret := secretOutputs(p.Outputs)
	for k, v := range t.Outputs {
		if outSecret(k) {
			r.collect(v)
		}
	}
	for _, s := range t.Steps {
		if ps := planStep(p, s.Name); ps != nil {
			isSecret := secretOutputs(ps.Outputs)
			for k, v := range s.Outputs {
				if isSecret(k) {
					r.collect(v)
				}
			}
			for _, a := range s.Activities {
				for k, v := range a.Outputs {
					if isSecret(k) {
						r.collect(v)
					}
				}
			}
		}
	}
	for _, v := range extra {
		r.collect(v)
	}
	r.strs = sortSecrets(r.strs)
	r.apply(t, p)
}

// apply hides the secrets r collected.
func (r *redactor) apply(t *Timeline, p *Plan) {
	paramSecret := secretParams(p)
	t.Params, t.Alarm = r.fields(t.Params, paramSecret), r.fields(t.Alarm, nil)
	t.Outputs, t.Message, t.Error = r.fields(t.Outputs, secretOutputs(p.Outputs)), r.text(t.Message), r.err(t.Error)
	done := map[*Evidence]bool{}
	evidence := func(es []*Evidence) {
		for _, e := range es {
			if !done[e] {
				done[e] = true
				e.Values = r.fields(e.Values, func(k string) bool { return secretRead(p, k) })
			}
		}
	}
	for _, s := range t.Steps {
		var isSecret func(string) bool
		if ps := planStep(p, s.Name); ps != nil {
			isSecret = secretOutputs(ps.Outputs)
		}
		s.Outputs, s.Message, s.Error = r.fields(s.Outputs, isSecret), r.text(s.Message), r.err(s.Error)
		if a := s.Approval; a != nil {
			a.Message = r.text(a.Message)
			for _, d := range a.Decisions {
				d.Comment = r.text(d.Comment)
			}
		}
		for _, a := range s.Activities {
			a.Input, a.Outputs, a.Error = r.fields(a.Input, nil), r.fields(a.Outputs, isSecret), r.err(a.Error)
			a.LastFailure, a.DryRun = r.text(a.LastFailure), r.text(a.DryRun)
		}
		for _, c := range s.Children {
			var childSecret func(string) bool
			if c.plan != nil {
				childSecret = secretParams(c.plan)
			}
			c.Params, c.Error = r.fields(c.Params, childSecret), r.err(c.Error)
		}
		evidence(s.Branch)
	}
	if f := t.Finding; f != nil {
		f.Finding = r.text(f.Finding)
		evidence(f.Evidence)
		if rc := f.Recommend; rc != nil {
			var recSecret func(string) bool
			if ps := planStep(p, f.Node); ps != nil && ps.Child != nil {
				recSecret = secretParams(ps.Child)
			}
			rc.Params, rc.Command, rc.Error = r.fields(rc.Params, recSecret), r.text(rc.Command), r.text(rc.Error)
		}
	}
}

// sortSecrets sorts secrets longest first (a secret inside another is
// replaced after it), then in order: the same set always gives the same
// text.
func sortSecrets(strs []string) []string {
	slices.SortFunc(strs, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	return strs
}

// secretParams reports whether a param of p is secret.
func secretParams(p *Plan) func(string) bool {
	return func(name string) bool {
		return slices.ContainsFunc(p.Params, func(pp *PlanParam) bool { return pp.Name == name && pp.Secret })
	}
}

// secretOutputs reports whether an output of outs is secret.
func secretOutputs(outs []*PlanOutput) func(string) bool {
	return func(name string) bool {
		return slices.ContainsFunc(outs, func(o *PlanOutput) bool { return o.Name == name && o.Secret })
	}
}

// secretRead reports whether a reference a condition read (params.P,
// steps.S.O...) is a secret param or output.
func secretRead(p *Plan, ref string) bool {
	parts := strings.Split(ref, ".")
	switch {
	case len(parts) >= 2 && parts[0] == "params":
		return secretParams(p)(parts[1])
	case len(parts) >= 3 && parts[0] == "steps":
		ps := planStep(p, parts[1])
		return ps != nil && secretOutputs(ps.Outputs)(parts[2])
	}
	return false
}

// redactor hides secret values: strings and numbers equal to a secret
// and, in longer strings, the secret strings they contain.
type redactor struct {
	strs []string // longest first
	nums []float64
}

// collect adds a secret value: its strings and numbers, in lists and
// maps too.
func (r *redactor) collect(v any) {
	switch x := v.(type) {
	case string:
		if x != "" {
			r.strs = append(r.strs, x)
		}
	case float64:
		r.nums = append(r.nums, x)
	case int64:
		r.nums = append(r.nums, float64(x))
	case []any:
		for _, e := range x {
			r.collect(e)
		}
	case map[string]any:
		for _, e := range x {
			r.collect(e)
		}
	}
}

func (r *redactor) text(s string) string {
	if slices.Contains(r.strs, s) && s != "" {
		return redacted
	}
	for _, x := range r.strs {
		if len(x) >= minSecretInText {
			s = strings.ReplaceAll(s, x, redacted)
		}
	}
	return s
}

func (r *redactor) value(v any) any {
	switch x := v.(type) {
	case string:
		return r.text(x)
	case float64:
		if slices.Contains(r.nums, x) {
			return redacted
		}
	case int64:
		if slices.Contains(r.nums, float64(x)) {
			return redacted
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e)
		}
		return out
	case map[string]any:
		return r.fields(x, nil)
	}
	return v
}

// fields is m with its values redacted, and those whose key is secret
// hidden whatever they are.
func (r *redactor) fields(m map[string]any, secret func(string) bool) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if secret != nil && secret(k) {
			out[k] = redacted
		} else {
			out[k] = r.value(v)
		}
	}
	return out
}

func (r *redactor) err(se *StepError) *StepError {
	if se == nil {
		return nil
	}
	return &StepError{Type: se.Type, Message: r.text(se.Message)}
}
