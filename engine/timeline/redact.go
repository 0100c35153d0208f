package timeline

import (
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// redact hides, everywhere in t, the secret params (of the execution and
// of its children) and secret outputs by name, and any value equal to
// one of theirs or to extra (what secret-bearing calls returned, outputs
// the execution found holding a secret).
func redact(t *Timeline, p *engine.Plan, children map[int64]*Child, extra []any) {
	r := &engine.Redactor{}
	for _, pp := range p.Params {
		if v, ok := t.Params[pp.Name]; pp.Secret && ok {
			r.Add(v)
		} else if pp.Secret {
			r.Add(pp.Default)
		}
	}
	for _, c := range children {
		if c.plan != nil {
			for _, pp := range c.plan.Params {
				if pp.Secret {
					r.Add(c.Params[pp.Name])
				}
			}
		}
	}
	outSecret := engine.SecretOutputs(p.Outputs)
	for k, v := range t.Outputs {
		if outSecret(k) {
			r.Add(v)
		}
	}
	for _, s := range t.Steps {
		if ps := planStep(p, s.Name); ps != nil {
			isSecret := engine.SecretOutputs(ps.Outputs)
			for k, v := range s.Outputs {
				if isSecret(k) {
					r.Add(v)
				}
			}
			for _, a := range s.Activities {
				for k, v := range a.Outputs {
					if isSecret(k) {
						r.Add(v)
					}
				}
			}
		}
	}
	for _, v := range extra {
		r.Add(v)
	}
	apply(r, t, p)
}

// apply hides in t the secrets r knows.
func apply(r *engine.Redactor, t *Timeline, p *engine.Plan) {
	paramSecret := engine.SecretParams(p)
	t.Params, t.Alarm = r.Fields(t.Params, paramSecret), r.Fields(t.Alarm, nil)
	t.Outputs, t.Message, t.Error = r.Fields(t.Outputs, engine.SecretOutputs(p.Outputs)), r.Text(t.Message), r.Err(t.Error)
	done := map[*engine.Evidence]bool{}
	evidence := func(es []*engine.Evidence) {
		for _, e := range es {
			if !done[e] {
				done[e] = true
				e.Values = r.Fields(e.Values, func(k string) bool { return secretRead(p, k) })
			}
		}
	}
	for _, s := range t.Steps {
		var isSecret func(string) bool
		if ps := planStep(p, s.Name); ps != nil {
			isSecret = engine.SecretOutputs(ps.Outputs)
		}
		s.Outputs, s.Message, s.Error = r.Fields(s.Outputs, isSecret), r.Text(s.Message), r.Err(s.Error)
		if a := s.Approval; a != nil {
			a.Message = r.Text(a.Message)
			for _, d := range a.Decisions {
				d.Comment = r.Text(d.Comment)
			}
		}
		for _, a := range s.Activities {
			a.Input, a.Outputs, a.Error = r.Fields(a.Input, nil), r.Fields(a.Outputs, isSecret), r.Err(a.Error)
			a.LastFailure, a.DryRun = r.Text(a.LastFailure), r.Text(a.DryRun)
		}
		for _, c := range s.Children {
			var childSecret func(string) bool
			if c.plan != nil {
				childSecret = engine.SecretParams(c.plan)
			}
			c.Params, c.Error = r.Fields(c.Params, childSecret), r.Err(c.Error)
		}
		evidence(s.Branch)
	}
	if f := t.Finding; f != nil {
		f.Finding = r.Text(f.Finding)
		evidence(f.Evidence)
		if rc := f.Recommend; rc != nil {
			var recSecret func(string) bool
			if ps := planStep(p, f.Node); ps != nil && ps.Child != nil {
				recSecret = engine.SecretParams(ps.Child)
			}
			rc.Params, rc.Command, rc.Error = r.Fields(rc.Params, recSecret), r.Text(rc.Command), r.Text(rc.Error)
		}
	}
}

// secretRead reports whether a reference a condition read (params.P,
// steps.S.O...) is a secret param or output.
func secretRead(p *engine.Plan, ref string) bool {
	parts := strings.Split(ref, ".")
	switch {
	case len(parts) >= 2 && parts[0] == "params":
		return engine.SecretParams(p)(parts[1])
	case len(parts) >= 3 && parts[0] == "steps":
		ps := planStep(p, parts[1])
		return ps != nil && engine.SecretOutputs(ps.Outputs)(parts[2])
	}
	return false
}
