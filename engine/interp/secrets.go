package interp

import (
	"slices"

	"github.com/runbook-dev/runbook/engine"
)

// secrets are the secret values an execution knows: its secret params,
// secret outputs and what secret-bearing operations returned. Once it
// knows one, every payload it writes is sealed (encrypted by the codec),
// and its messages hide them.
type secrets struct{ engine.Redactor }

// holding returns the names of the entries of m whose values hold a
// secret, with those secret by declaration, sorted.
//
//workflowcheck:ignore
func (s *secrets) holding(m map[string]any, declared func(string) bool) []string {
	var out []string
	for k, v := range m {
		if declared(k) || s.Holds(v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// secret adds a secret value the execution now knows; its outcome is
// sealed from then on.
func (it *interp) secret(v any) {
	it.secrets.Add(v)
	it.out.Seal = it.secrets.Known()
}

// noteOutputs adds the values of the outputs declared secret and
// returns the names of those that hold a secret.
func (it *interp) noteOutputs(decl []*engine.PlanOutput, outs map[string]any) []string {
	declared := engine.SecretOutputs(decl)
	for _, o := range decl {
		if o.Secret {
			it.secret(outs[o.Name])
		}
	}
	return it.secrets.holding(outs, declared)
}

// newCall is the input of an activity of step: sealed, and carrying the
// secrets the activity hides from its failures, once the execution knows
// one.
func (it *interp) newCall(step string) engine.Call {
	c := engine.Call{Step: step, Seal: it.secrets.Known()}
	if c.Seal {
		c.Secrets = slices.Clone(it.secrets.Strings())
	}
	return c
}

// hide replaces the secrets in a message by ***.
func (it *interp) hide(s string) string { return it.secrets.Text(s) }

// hideError is se with the secrets in its message hidden.
func (it *interp) hideError(se *engine.StepError) *engine.StepError {
	if m := it.hide(se.Message); m != se.Message {
		return &engine.StepError{Type: se.Type, Message: m}
	}
	return se
}

// secretsIn are the secret strings the execution knows that params (a
// child's) hold, whole or inside longer strings: the child hides them.
//
//workflowcheck:ignore
func (it *interp) secretsIn(params map[string]any) []string {
	var out []string
	for _, s := range it.secrets.Strings() {
		var r engine.Redactor
		r.Add(s)
		if r.Holds(params) {
			out = append(out, s)
		}
	}
	return out
}
