package ssm

import (
	"sort"
	"strconv"
	"strings"
)

// A Parameter Store reference, {{ ssm:NAME }} (NAME may end in :VERSION
// or :LABEL, as GetParameter takes it), reads the value of an
// ssm:GetParameter step at the start of the run; {{ ssm-secure:NAME }}
// reads it decrypted (WithDecryption), its output secret. A reference
// only a parameter's default makes is read only when that parameter is
// left at its default (see defaults.go).

// storeRef is one Parameter Store reference and the step that reads it.
type storeRef struct {
	key    string   // the reference, ssm:NAME or ssm-secure:NAME
	name   string   // the parameter's name
	secure bool     // ssm-secure: decrypted, the output secret
	step   string   // the v1 step that reads it
	always bool     // a step reads it (not only a default)
	guards []string // the params (SSM names) whose defaults read it
}

// storeLookup resolves a Parameter Store reference to its step's output.
func (t *translator) storeLookup(key string) (ref, error) {
	pre, name, _ := strings.Cut(key, ":")
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t") {
		return ref{}, unsupported("Parameter Store reference without a parameter name", key)
	}
	key = pre + ":" + name
	if t.store == nil {
		t.store = map[string]*storeRef{}
	}
	r := t.store[key]
	if r == nil {
		r = &storeRef{key: key, name: name, secure: pre == "ssm-secure", step: t.unique("getParameter", "")}
		t.store[key] = r
	}
	if p := t.inDefault; p != "" {
		if !contains(r.guards, p) {
			r.guards = append(r.guards, p)
		}
	} else {
		r.always = true
	}
	return ref{"steps." + r.step + ".value", "string"}, nil
}

// storeSteps are the GetParameter steps, in the order of their names.
func (t *translator) storeSteps() []*step {
	keys := make([]string, 0, len(t.store))
	for k := range t.store {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return t.store[keys[i]].step < t.store[keys[j]].step })
	var out []*step
	for _, k := range keys {
		r := t.store[k]
		in := map[string]any{"Name": r.name}
		value := any("result.Parameter.Value")
		desc := "{{ " + r.key + " }}: read when the run starts (SSM reads it where it is used)"
		if !r.always {
			desc = "{{ " + r.key + " }}: read when the run starts, for the defaults that hold it"
		}
		if r.secure {
			in["WithDecryption"] = true
			long := &orderedMap{}
			long.set("value", "result.Parameter.Value")
			long.set("secret", true)
			value = long
		}
		om := &orderedMap{}
		om.set("value", value)
		s := &step{Name: r.step, Description: desc, AWS: "ssm:GetParameter", Input: in, Outputs: om.yamlNode()}
		if !r.always {
			var conds []string
			for _, g := range r.guards {
				conds = append(conds, t.atDefault(g))
			}
			s.If = strings.Join(conds, " || ")
		}
		out = append(out, s)
	}
	return out
}

// exprString quotes s for an expression that may sit inside ${{ }}: a
// "}}" in it is split so that it does not end the interpolation.
func exprString(s string) string {
	q := strconv.Quote(s)
	for strings.Contains(q, "}}") {
		q = strings.ReplaceAll(q, "}}", `}" + "}`)
	}
	return q
}
