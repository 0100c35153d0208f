package engine

import (
	"slices"
	"strings"
)

// secretField is where an operation's result holds a secret: a path of
// field names ("[]" walks every element of a list), and the condition
// on the enclosing object, when the field is secret only sometimes.
type secretField struct {
	path []string
	when func(map[string]any) bool
}

func secureString(m map[string]any) bool { return m["Type"] == "SecureString" }

func field(path string, when func(map[string]any) bool) secretField {
	return secretField{path: strings.Split(path, "."), when: when}
}

// secretFields are the operations whose results hold secrets: Secrets
// Manager values, SecureString parameters, credentials, plaintext keys.
var secretFields = map[string][]secretField{
	"secretsmanager:GetSecretValue":      {field("SecretString", nil), field("SecretBinary", nil)},
	"secretsmanager:BatchGetSecretValue": {field("SecretValues.[].SecretString", nil), field("SecretValues.[].SecretBinary", nil)},
	"ssm:GetParameter":                   {field("Parameter.Value", secureString)},
	"ssm:GetParameters":                  {field("Parameters.[].Value", secureString)},
	"ssm:GetParametersByPath":            {field("Parameters.[].Value", secureString)},
	"ssm:GetParameterHistory":            {field("Parameters.[].Value", secureString)},
	"iam:CreateAccessKey":                {field("AccessKey.SecretAccessKey", nil)},
	"kms:Decrypt":                        {field("Plaintext", nil)},
	"kms:GenerateDataKey":                {field("Plaintext", nil)},
	"kms:GenerateDataKeyPair":            {field("PrivateKeyPlaintext", nil)},
	"kms:GenerateRandom":                 {field("Plaintext", nil)},
	"ecr:GetAuthorizationToken":          {field("AuthorizationData.[].AuthorizationToken", nil)},
}

func init() {
	creds := []secretField{field("Credentials.SecretAccessKey", nil), field("Credentials.SessionToken", nil)}
	for _, op := range []string{"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot", "GetSessionToken", "GetFederationToken"} {
		secretFields["sts:"+op] = creds
	}
}

// SecretValues returns the secrets in the result of operation op
// (service:Operation): what the history, logs and output must hide.
func SecretValues(op string, result any) []string {
	var out []string
	for _, f := range secretFields[op] {
		out = collectField(out, result, f.path, f.when)
	}
	return out
}

func collectField(out []string, v any, path []string, when func(map[string]any) bool) []string {
	if len(path) == 0 {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
		return out
	}
	if path[0] == "[]" {
		l, _ := v.([]any)
		for _, e := range l {
			out = collectField(out, e, path[1:], when)
		}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok || len(path) == 1 && when != nil && !when(m) {
		return out
	}
	return collectField(out, m[path[0]], path[1:], when)
}

// secrets are the secret values an execution knows: its secret params,
// secret outputs and what secret-bearing operations returned. Once it
// knows one, every payload it writes is sealed (encrypted by the codec),
// and its messages hide them.
type secrets struct{ redactor }

// add adds secret values (strings, numbers, in lists and maps).
//
//workflowcheck:ignore
func (s *secrets) add(v any) {
	before := len(s.strs)
	s.collect(v)
	if len(s.strs) != before {
		s.strs = slices.Compact(sortSecrets(s.strs))
	}
}

// known reports whether any secret is known.
func (s *secrets) known() bool { return len(s.strs)+len(s.nums) > 0 }

// holding returns the names of the entries of m whose values hold a
// secret, with those secret by declaration, sorted.
//
//workflowcheck:ignore
func (s *secrets) holding(m map[string]any, declared func(string) bool) []string {
	var out []string
	for k, v := range m {
		if declared(k) || s.holds(v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// holds reports whether v is, or contains, a secret.
//
//workflowcheck:ignore
func (r *redactor) holds(v any) bool {
	switch x := v.(type) {
	case string:
		return r.text(x) != x
	case float64, int64:
		return r.value(x) != v
	case []any:
		return slices.ContainsFunc(x, r.holds)
	case map[string]any:
		for _, e := range x {
			if r.holds(e) {
				return true
			}
		}
	}
	return false
}

// secret adds a secret value the execution now knows; its outcome is
// sealed from then on.
func (it *interp) secret(v any) {
	it.secrets.add(v)
	it.out.Seal = it.secrets.known()
}

// noteOutputs adds the values of the outputs declared secret and
// returns the names of those that hold a secret.
func (it *interp) noteOutputs(decl []*PlanOutput, outs map[string]any) []string {
	declared := secretOutputs(decl)
	for _, o := range decl {
		if o.Secret {
			it.secret(outs[o.Name])
		}
	}
	return it.secrets.holding(outs, declared)
}

// hide replaces the secrets in a message by ***.
func (it *interp) hide(s string) string { return it.secrets.text(s) }

// hideError is se with the secrets in its message hidden.
func (it *interp) hideError(se *StepError) *StepError {
	if m := it.hide(se.Message); m != se.Message {
		return &StepError{Type: se.Type, Message: m}
	}
	return se
}

// secretsIn are the secret strings the execution knows that params (a
// child's) hold, whole or inside longer strings: the child hides them.
//
//workflowcheck:ignore
func (it *interp) secretsIn(params map[string]any) []string {
	var out []string
	for _, s := range it.secrets.strs {
		r := &redactor{strs: []string{s}}
		if r.holds(params) {
			out = append(out, s)
		}
	}
	return out
}
