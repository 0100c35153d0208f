package ssm

import (
	"regexp"
	"sort"
	"strings"
)

// A v1 expression may read steps.X only where X surely ran (or was
// skipped) before. SSM lets a step read any step's output; where that
// step has not run the reference stays its own text, {{ X.Output }}. So
// where some paths to a reader pass through X and others do not, split
// tells them apart: the steps reached both ways get a copy for the paths
// that miss X, where each read of X is that text; the originals are then
// reached only through X, which dominates them.

// maxSplitRounds bounds how many steps split works on in one document.
const maxSplitRounds = 24

// split separates, one read step at a time, the paths that pass through
// a read step from those that do not.
func (t *translator) split(steps []*step) []*step {
	limit := 3*len(steps) + 12
	rev := t.reverseOuts()
	for range maxSplitRounds {
		g := newFlowGraph(steps)
		x := badRead(steps, g)
		if x == "" {
			break
		}
		ns, ok := t.splitOn(steps, g, x, rev)
		if !ok || len(ns) > limit {
			break
		}
		steps = prune(ns)
	}
	return steps
}

// badRead is the first step some step reads where it may not have run.
func badRead(steps []*step, g *flowGraph) string {
	for i, s := range steps {
		for _, x := range readsOf(s) {
			if x != s.Name && !g.dominates(x, i) {
				return x
			}
		}
	}
	return ""
}

// reverseOuts maps each steps.STEP.OUTPUT that a reference reads to the
// reference (SSM's step.Output), for the text that stands for it.
func (t *translator) reverseOuts() map[string]string {
	keys := make([]string, 0, len(t.outs))
	for k := range t.outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rev := map[string]string{}
	for _, k := range keys {
		for _, m := range outRef.FindAllStringSubmatch(t.outs[k].expr, -1) {
			if _, ok := rev[m[1]+"."+m[2]]; !ok {
				rev[m[1]+"."+m[2]] = k
			}
		}
	}
	return rev
}

var outRef = regexp.MustCompile(`\bsteps\.([A-Za-z][A-Za-z0-9_]*)\??\.([A-Za-z][A-Za-z0-9_]*)`)

// splitOn splits the steps around x (see split); false when it cannot.
func (t *translator) splitOn(steps []*step, g *flowGraph, x string, rev map[string]string) ([]*step, bool) {
	c := g.index[x]
	after := g.from(c, -1) // reached through x (x included)
	before := g.from(0, c) // reached without passing x
	copyName := map[string]string{}
	// On the paths that miss x, a read of a copied step reads its copy.
	unread := func(s string) (string, bool) {
		s, ok := t.unread(s, x, rev)
		return renameReads(s, copyName), ok
	}
	// Only the steps reached both ways that lead to a read of x need a
	// copy; the paths that miss x may share the others.
	// A step reached both ways that reads a copied step (an action's
	// later part reading its first) needs a copy too, reading the copy.
	leads := g.leadsTo(func(i int) bool { return i < len(steps) && reads(steps[i], x) })
	for more := true; more; {
		more = false
		for i, s := range steps {
			if before[i] && after[i] && copyName[s.Name] == "" && (leads[i] || readsOneOf(s, copyName)) {
				copyName[s.Name] = t.unique(s.Name+"_2", "")
				t.copies[s.Name] = append(t.copies[s.Name], copyName[s.Name])
				more = true
			}
		}
	}
	if len(copyName) == 0 {
		// x runs on no path to its readers: each read is the text.
		var out []*step
		for i, s := range steps {
			if before[i] {
				ns, ok := mapStep(s, unread)
				if !ok {
					return nil, false
				}
				s = ns
			}
			out = append(out, s)
		}
		return out, true
	}
	var out, copies []*step
	for i, s := range steps {
		switch {
		case before[i] && !after[i]:
			ns, ok := mapStep(s, unread)
			if !ok {
				return nil, false
			}
			retarget(ns, copyName)
			out = append(out, ns)
			if i+1 < len(steps) && copyName[steps[i+1].Name] != "" && fallsThrough(s) {
				out = append(out, t.router(copyName[steps[i+1].Name]))
			}
		default:
			out = append(out, s)
		}
		if copyName[s.Name] == "" {
			continue
		}
		cp, ok := mapStep(s, unread)
		if !ok {
			return nil, false
		}
		cp.Name = copyName[s.Name]
		retarget(cp, copyName)
		copies = append(copies, cp)
		if i+1 < len(steps) && copyName[steps[i+1].Name] != "" {
			continue // the next copy follows
		}
		if fallsThrough(s) {
			to := ""
			if i+1 < len(steps) {
				to = steps[i+1].Name
			}
			copies = append(copies, t.router(to))
		}
	}
	out = append(out, copies...)
	if !hasStep(out, t.endName()) {
		out = append(out, &step{Name: t.endName(), Succeed: "the document's path ended here"})
	}
	return out, true
}

// unread replaces the reads of x in an expression or text with the text
// SSM leaves for them; false when a read has no reference behind it.
func (t *translator) unread(s, x string, rev map[string]string) (string, bool) {
	if !strings.Contains(s, "steps."+x) {
		return s, true
	}
	for _, m := range outRef.FindAllStringSubmatch(s, -1) {
		if m[1] != x {
			continue
		}
		k, ok := rev[m[1]+"."+m[2]]
		if !ok {
			return s, false
		}
		if whole := t.outs[k].expr; strings.Contains(s, whole) {
			s = strings.ReplaceAll(s, whole, unresolved(k))
		}
		s = strings.ReplaceAll(s, m[0], unresolved(k))
	}
	return s, !regexp.MustCompile(`\bsteps\.` + x + `\b`).MatchString(s)
}

// router is a pure decision that goes to the step named to (the end when
// to is empty).
func (t *translator) router(to string) *step {
	if to == "" {
		to = t.endName()
	}
	return &step{Name: t.unique("to_"+to, ""), Branch: []route{{When: "true", Goto: to}}}
}

// fallsThrough reports whether s may go on to the step listed after it.
func fallsThrough(s *step) bool {
	if s.If != "" || s.OnFailure == "continue" {
		return true
	}
	return s.Fail == "" && s.Succeed == "" && s.Default == ""
}

// retarget points the routes of s at the copies named in to.
func retarget(s *step, to map[string]string) {
	sw := func(n string) string {
		if c, ok := to[n]; ok {
			return c
		}
		return n
	}
	for i := range s.Branch {
		s.Branch[i].Goto = sw(s.Branch[i].Goto)
	}
	if s.Default != "" {
		s.Default = sw(s.Default)
	}
	if g, ok := strings.CutPrefix(s.OnFailure, "goto:"); ok {
		s.OnFailure = "goto:" + sw(g)
	}
}

func hasStep(steps []*step, name string) bool {
	for _, s := range steps {
		if s.Name == name {
			return true
		}
	}
	return false
}

// reads reports whether step s reads step x.
func reads(s *step, x string) bool {
	for _, r := range readsOf(s) {
		if r == x && s.Name != x {
			return true
		}
	}
	return false
}

// readsOneOf reports whether s reads one of the steps named in names.
func readsOneOf(s *step, names map[string]string) bool {
	for _, r := range readsOf(s) {
		if names[r] != "" && r != s.Name {
			return true
		}
	}
	return false
}

// renameReads points the reads of steps.NAME at the copies named in to.
func renameReads(s string, to map[string]string) string {
	if len(to) == 0 || !strings.Contains(s, "steps.") {
		return s
	}
	return stepRef.ReplaceAllStringFunc(s, func(m string) string {
		if c, ok := to[strings.TrimPrefix(m, "steps.")]; ok {
			return "steps." + c
		}
		return m
	})
}
