package ssm

import (
	"encoding/json"
	"strings"
)

// SSM lets a step after a branch read the outputs of the steps on any of
// its arms; v1 reads steps.X only where X surely ran or was skipped. Where
// a branch's arms are straight runs of steps that meet again at one step
// (the join, or the document's end), the importer runs the arms in
// sequence instead, each step skipped unless its arm was chosen: the
// branch becomes a step whose output next names the chosen arm. Every arm
// step then precedes the join, and a read of an arm that did not run is
// nil-safe, with SSM's unresolved {{ step.Output }} text in its place (a
// document output of such a step is nil: SSM leaves it out). A branch is
// converted only where a step outside an arm, or the document's outputs,
// read an arm's outputs.

// ifConv is a branch run by if-conversion.
type ifConv struct {
	branch string     // the branch's SSM name
	arms   [][]string // each arm's steps, SSM names, in the order run
	join   string     // where the arms meet; "" for the document's end
}

// armOf is what the importer knows of a step on an arm.
type armOf struct {
	conv   *ifConv
	target string // the SSM step the branch goes to for this arm
	last   bool   // the arm's last step
}

// endNode stands for the document's end in the SSM step graph.
const endNode = "\x00end"

// ssmGraph is the top-level SSM steps' successors, by name.
type ssmGraph struct {
	steps map[string]*ssmStep
	succ  map[string][]string
	preds map[string][]string
}

// onward is the step SSM runs after s when s goes on as listed (nextStep,
// isEnd, else the step listed after it); "" for a branch or a step that
// leaves for a failure handler.
func onward(s *ssmStep, listed *ssmStep) string {
	switch {
	case s.Action == "aws:branch" || strings.HasPrefix(s.OnFailure, "step:"):
		return ""
	case isTrue(s.IsEnd):
		return endNode
	case s.NextStep != "":
		return s.NextStep
	case listed != nil:
		return listed.Name
	}
	return endNode
}

func newSSMGraph(steps []*ssmStep) *ssmGraph {
	g := &ssmGraph{steps: map[string]*ssmStep{}, succ: map[string][]string{}, preds: map[string][]string{}}
	for i, s := range steps {
		g.steps[s.Name] = s
		var listed *ssmStep
		if i+1 < len(steps) {
			listed = steps[i+1]
		}
		var to []string
		if n := onward(s, listed); n != "" {
			to = append(to, n)
		}
		if f, ok := strings.CutPrefix(s.OnFailure, "step:"); ok {
			to = append(to, f, onward(&ssmStep{Name: s.Name, Action: s.Action, NextStep: s.NextStep, IsEnd: s.IsEnd}, listed))
		}
		if s.Action == "aws:branch" {
			to = append(to, branchTargets(s)...)
		}
		g.succ[s.Name] = to
		for _, n := range to {
			g.preds[n] = append(g.preds[n], s.Name)
		}
	}
	return g
}

// branchTargets lists the steps a branch may go to, first choice first,
// the default last.
func branchTargets(s *ssmStep) []string {
	var out []string
	choices, _ := s.Inputs["Choices"].([]any)
	for _, c := range choices {
		if m, ok := c.(map[string]any); ok {
			if n, _ := m["NextStep"].(string); n != "" && !contains(out, n) {
				out = append(out, n)
			}
		}
	}
	if d, _ := s.Inputs["Default"].(string); d != "" && !contains(out, d) {
		out = append(out, d)
	}
	return out
}

// chain lists the steps SSM runs from start while each has one way on,
// ending with the first that has not (or the end).
func (g *ssmGraph) chain(start string) []string {
	var out []string
	for n := start; ; {
		if contains(out, n) {
			return out // a cycle
		}
		out = append(out, n)
		s := g.steps[n]
		if s == nil || len(g.succ[n]) != 1 || s.Action == "aws:branch" {
			return out
		}
		n = g.succ[n][0]
	}
}

// convertible gives the if-conversion of branch b, or nil when its arms
// are not straight runs that meet at one step.
func (g *ssmGraph) convertible(b *ssmStep) *ifConv {
	targets := branchTargets(b)
	if len(targets) < 2 {
		return nil
	}
	chains := make([][]string, len(targets))
	for i, t := range targets {
		if g.steps[t] == nil {
			return nil
		}
		chains[i] = g.chain(t)
	}
	join := ""
	for _, n := range chains[0] {
		all := true
		for _, c := range chains[1:] {
			all = all && contains(c, n)
		}
		if all {
			join = n
			break
		}
	}
	if join == "" || join == b.Name {
		return nil
	}
	c := &ifConv{branch: b.Name, join: strings.TrimPrefix(join, endNode)}
	for _, ch := range chains {
		var arm []string
		for _, n := range ch {
			if n == join {
				break
			}
			from := b.Name
			if len(arm) > 0 {
				from = arm[len(arm)-1]
			}
			if n == b.Name || !onlyFrom(g.preds[n], from) {
				return nil
			}
			arm = append(arm, n)
		}
		c.arms = append(c.arms, arm)
	}
	return c
}

// onlyFrom reports whether every predecessor is from.
func onlyFrom(preds []string, from string) bool {
	for _, p := range preds {
		if p != from {
			return false
		}
	}
	return len(preds) > 0
}

// conversions finds the branches to run by if-conversion: those whose
// arms' outputs are read outside the arm.
func (t *translator) conversions(steps []*ssmStep) {
	t.conv, t.arm = map[string]*ifConv{}, map[string]armOf{}
	g := newSSMGraph(steps)
	for _, b := range steps {
		if b.Action != "aws:branch" {
			continue
		}
		c := g.convertible(b)
		if c == nil || !t.readOutside(c, steps) {
			continue
		}
		t.conv[b.Name] = c
		targets := branchTargets(b)
		for i, arm := range c.arms {
			for j, n := range arm {
				t.arm[n] = armOf{conv: c, target: targets[i], last: j == len(arm)-1}
			}
		}
	}
}

// readOutside reports whether a step off an arm, or the document's
// outputs, read an output of a step on it.
func (t *translator) readOutside(c *ifConv, steps []*ssmStep) bool {
	for _, arm := range c.arms {
		for _, s := range steps {
			if contains(arm, s.Name) {
				continue
			}
			b, _ := json.Marshal(s.Inputs)
			if readsAny(string(b), arm) {
				return true
			}
		}
		for _, o := range t.doc.Outputs {
			if readsAny("{{ "+o+" }}", arm) {
				return true
			}
		}
	}
	return false
}

// readsAny reports whether text refers to an output of one of the steps.
func readsAny(text string, steps []string) bool {
	for _, m := range refPattern.FindAllStringSubmatch(text, -1) {
		if st, _, ok := strings.Cut(strings.TrimSpace(m[1]), "."); ok && contains(steps, st) {
			return true
		}
	}
	return false
}
