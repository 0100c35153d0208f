package engine

import (
	"cmp"
	"slices"
	"strings"
)

// Redacted stands for a secret value.
const Redacted = "***"

// minSecretInText is the length from which a secret is also hidden
// inside longer strings (a header, a command line); a shorter one only
// where a value equals it.
const minSecretInText = 4

// Redactor hides secret values: strings and numbers equal to a secret
// and, in longer strings, the secret strings they contain. The zero
// Redactor knows none.
type Redactor struct {
	strs []string // longest first, then in order
	nums []float64
}

// Add adds secret values: their strings and numbers, in lists and maps
// too.
//
//workflowcheck:ignore
func (r *Redactor) Add(vs ...any) {
	before := len(r.strs)
	for _, v := range vs {
		r.collect(v)
	}
	if len(r.strs) != before {
		// Longest first (a secret inside another is replaced after it),
		// then in order: the same set always gives the same text.
		slices.SortFunc(r.strs, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
		r.strs = slices.Compact(r.strs)
	}
}

// Known reports whether r knows any secret.
func (r *Redactor) Known() bool { return len(r.strs)+len(r.nums) > 0 }

// Strings returns the secret strings r knows, longest first.
func (r *Redactor) Strings() []string { return r.strs }

func (r *Redactor) collect(v any) {
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

// Text is s with the secrets in it replaced by Redacted.
func (r *Redactor) Text(s string) string {
	if slices.Contains(r.strs, s) && s != "" {
		return Redacted
	}
	for _, x := range r.strs {
		if len(x) >= minSecretInText {
			s = strings.ReplaceAll(s, x, Redacted)
		}
	}
	return s
}

// Value is v with its secret strings and numbers replaced by Redacted.
func (r *Redactor) Value(v any) any {
	switch x := v.(type) {
	case string:
		return r.Text(x)
	case float64:
		if slices.Contains(r.nums, x) {
			return Redacted
		}
	case int64:
		if slices.Contains(r.nums, float64(x)) {
			return Redacted
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.Value(e)
		}
		return out
	case map[string]any:
		return r.Fields(x, nil)
	}
	return v
}

// Fields is m with its values redacted, and those whose key is secret
// hidden whatever they are. Nil stays nil.
func (r *Redactor) Fields(m map[string]any, secret func(string) bool) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if secret != nil && secret(k) {
			out[k] = Redacted
		} else {
			out[k] = r.Value(v)
		}
	}
	return out
}

// Err is se with the secrets in its message hidden. Nil stays nil.
func (r *Redactor) Err(se *StepError) *StepError {
	if se == nil {
		return nil
	}
	return &StepError{Type: se.Type, Message: r.Text(se.Message)}
}

// Holds reports whether v is, or contains, a secret.
//
//workflowcheck:ignore
func (r *Redactor) Holds(v any) bool {
	switch x := v.(type) {
	case string:
		return r.Text(x) != x
	case float64, int64:
		return r.Value(x) != v
	case []any:
		return slices.ContainsFunc(x, r.Holds)
	case map[string]any:
		for _, e := range x {
			if r.Holds(e) {
				return true
			}
		}
	}
	return false
}

// SecretParams reports whether a param of p is secret.
func SecretParams(p *Plan) func(string) bool {
	return func(name string) bool {
		return slices.ContainsFunc(p.Params, func(pp *PlanParam) bool { return pp.Name == name && pp.Secret })
	}
}

// SecretOutputs reports whether an output of outs is secret.
func SecretOutputs(outs []*PlanOutput) func(string) bool {
	return func(name string) bool {
		return slices.ContainsFunc(outs, func(o *PlanOutput) bool { return o.Name == name && o.Secret })
	}
}
