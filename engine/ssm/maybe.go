package ssm

import (
	"strconv"
	"strings"
)

// SSM leaves a reference to an output that was never set (its step
// failed and the document went on, or never ran) as its own text,
// {{ step.Output }}. The importer reads such outputs nil-safely, with that
// text in their place, and reads what an action knows early (the ID of
// the command it sent, the stack it created) through the part that knows
// it, so that a failure handler can still use it.

// firstOutputs are the outputs of a multi-part action known once its
// first part has run, with the first part's output that holds each.
var firstOutputs = map[string][2]string{
	"aws:runCommand":        {"CommandId", "commandId"},
	"aws:executeAutomation": {"ExecutionId", "id"},
	"aws:createStack":       {"StackId", "id"},
	"aws:runInstances":      {"InstanceIds", "ids"},
	"aws:createImage":       {"ImageId", "id"},
	"aws:copyImage":         {"ImageId", "id"},
}

// goesOn reports whether the document goes on after s fails.
func goesOn(s *ssmStep) bool {
	return strings.EqualFold(s.OnFailure, "Continue") || strings.HasPrefix(s.OnFailure, "step:")
}

// maybeOutputs rewrites the references to the outputs of s, a step after
// whose failure the document goes on or a step on the arm of a converted
// branch (see ifconv.go): nil-safe, with SSM's unresolved text in place
// of a missing value, and, for an action's early outputs after a failure,
// through its first part.
func (t *translator) maybeOutputs(s *ssmStep) {
	onArm := t.isArm(s)
	if !goesOn(s) && !onArm {
		return
	}
	prefix := s.Name + "."
	for k, r := range t.outs {
		out, ok := strings.CutPrefix(k, prefix)
		if !ok || strings.Contains(out, ".") {
			continue
		}
		e := strings.Replace(r.expr, "steps."+t.carrier[s.Name]+".", "steps."+t.carrier[s.Name]+"?.", 1)
		if f, ok := firstOutputs[s.Action]; ok && f[0] == out && t.isMulti(s) && goesOn(s) {
			e = "steps." + t.names[s.Name] + "?." + f[1]
		}
		if onArm {
			t.armOutput(k, e)
		}
		t.outs[k] = ref{"(" + e + " ?? " + unresolved(k) + ")", r.kind}
	}
}

// gate lets a multi-part action whose failure the document continues
// after run on into its later parts, each skipped unless the part before
// it gave its outputs; every part then precedes the next step, which may
// read them. It reports false (nothing changed) where a part before
// another has no outputs, or an if of its own, to tell.
func gate(parts []*step) bool {
	for i := 1; i < len(parts); i++ {
		prev := parts[i-1]
		if prev.Outputs == nil || prev.If != "" || parts[i].If != "" {
			return false
		}
	}
	for i := 1; i < len(parts); i++ {
		parts[i].If = "steps." + parts[i-1].Name + " != nil"
	}
	for _, p := range parts {
		p.OnFailure = "continue"
	}
	return true
}

// unresolved is the text SSM leaves for a reference it cannot resolve,
// {{ name }}, as an expression that never holds "}}" (which would end the
// ${{ }} around it).
func unresolved(name string) string {
	return "(" + strconv.Quote("{{ "+name+" }") + ` + "}")`
}
