package engine

import (
	"cmp"
	"strings"
)

// scope is one list of steps (a runbook's steps, a playbook's nodes, a
// forEach's nested steps, the finally steps) as a control-flow graph.
// Node len(steps) is the successful end.
type scope struct {
	steps []*Step
	index map[string]int
	entry int
	succ  [][]edge
	reach []bool
	dom   [][]bool // dom[n][m]: m dominates n
	order []int    // reachable nodes, dominators first; then the rest
	// outer are the steps visible from the enclosing scope; outerNullable
	// marks them as maybe not run (finally).
	outer         []*Step
	outerNullable bool
}

type edge struct {
	to   int
	pos  Pos  // the goto or the step it falls through from
	fall bool // to the next step listed, for want of a route
}

// flow builds the scopes and checks gotos, reachability, termination and
// cycles.
func (dc *defCheck) flow() {
	entry := 0
	if dc.d.Kind.Name == KindPlaybook && dc.d.Start != nil {
		entry = -1
		for i, s := range dc.d.Steps {
			if s.Name.Name == dc.d.Start.Name {
				entry = i
			}
		}
		if entry < 0 {
			dc.ds.Errorf(dc.d.Start.Pos, "start names no node %q", dc.d.Start.Name).Hint = DidYouMean(dc.d.Start.Name, stepNames(dc.d.Steps))
			entry = 0
		}
	}
	dc.main = dc.newScope(dc.d.Steps, entry, "step")
	dc.fin = dc.newScope(dc.d.Finally, 0, "finally step")
}

func stepNames(steps []*Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name.Name)
	}
	return out
}

func (dc *defCheck) newScope(steps []*Step, entry int, what string) *scope {
	sc := &scope{steps: steps, index: map[string]int{}, entry: entry}
	for i, s := range steps {
		if _, dup := sc.index[s.Name.Name]; !dup {
			sc.index[s.Name.Name] = i
		}
	}
	n := len(steps)
	sc.succ = make([][]edge, n+1)
	for i, s := range steps {
		sc.succ[i] = dc.edges(sc, i, s)
	}
	sc.reachable()
	playbook := dc.d.Kind.Name == KindPlaybook && what == "step"
	for i, s := range steps {
		if !sc.reach[i] && len(steps) > 0 {
			if playbook {
				dc.ds.Errorf(s.Pos, "node %s is unreachable from start %s", s.Name.Name, steps[entry].Name.Name).Hint = "route to it with a branch or default, or remove it"
			} else {
				dc.ds.Warnf(s.Pos, "%s %s is never reached", what, s.Name.Name)
			}
		}
	}
	if playbook {
		dc.concludes(sc)
	}
	dc.cycles(sc, what)
	sc.dominators()
	return sc
}

// edges lists where step i may go next on success or handled failure.
func (dc *defCheck) edges(sc *scope, i int, s *Step) []edge {
	next := edge{to: i + 1, pos: s.Pos, fall: true}
	var out []edge
	target := func(id Ident) {
		if id.Name == "" {
			return
		}
		j, ok := sc.index[id.Name]
		if !ok {
			d := dc.ds.Errorf(id.Pos, "goto names no step %q here", id.Name)
			d.Hint = cmp.Or(DidYouMean(id.Name, stepNames(sc.steps)), "name a step of the same list")
			return
		}
		out = append(out, edge{to: j, pos: id.Pos})
	}
	switch {
	case s.Kind != nil && s.Kind.Ends != EndNone:
		if s.Kind.Ends != EndFailed {
			out = append(out, edge{to: len(sc.steps), pos: s.Pos})
		}
	case len(s.Branch) > 0 || s.Default != nil:
		for _, b := range s.Branch {
			target(b.Goto)
		}
		if s.Default != nil {
			target(*s.Default)
		} else {
			out = append(out, next)
		}
	default:
		out = append(out, next)
	}
	if s.If != nil {
		out = append(out, next)
	}
	if f := s.OnFailure; f != nil {
		switch f.Action {
		case "continue":
			out = append(out, next)
		case "goto":
			target(f.Goto)
		}
	}
	return out
}

func (sc *scope) reachable() {
	sc.reach = make([]bool, len(sc.steps)+1)
	if len(sc.steps) == 0 {
		return
	}
	var visit func(int)
	post := []int{}
	visit = func(n int) {
		sc.reach[n] = true
		for _, e := range sc.succ[n] {
			if !sc.reach[e.to] {
				visit(e.to)
			}
		}
		post = append(post, n)
	}
	visit(sc.entry)
	for i := len(post) - 1; i >= 0; i-- {
		if post[i] < len(sc.steps) {
			sc.order = append(sc.order, post[i])
		}
	}
	for i := range sc.steps {
		if !sc.reach[i] {
			sc.order = append(sc.order, i)
		}
	}
}

// concludes reports playbook paths that end without conclude or fail: a
// node that falls through past the last node.
func (dc *defCheck) concludes(sc *scope) {
	end := len(sc.steps)
	for i, s := range sc.steps {
		if !sc.reach[i] {
			continue
		}
		if s.Kind != nil && s.Kind.Ends == EndSucceeded {
			dc.ds.Errorf(s.KindPos, "a playbook path must end in conclude or fail, not succeed").Hint = "use conclude with a finding"
			continue
		}
		for _, e := range sc.succ[i] {
			if e.to == end && e.fall {
				dc.ds.Errorf(s.Pos, "this path ends at node %s without a conclusion", s.Name.Name).Hint = "route it (branch/default) to a conclude or fail node, or make it one"
				break
			}
		}
	}
}

// cycles reports loops that no node with maxVisits bounds.
func (dc *defCheck) cycles(sc *scope, what string) {
	n := len(sc.steps)
	state := make([]int, n+1) // 0 new, 1 on stack, 2 done
	var stack []int
	var visit func(int)
	visit = func(v int) {
		state[v] = 1
		stack = append(stack, v)
		for _, e := range sc.succ[v] {
			if e.to >= n || sc.steps[e.to].MaxVisits > 0 || sc.steps[v].MaxVisits > 0 {
				continue
			}
			switch state[e.to] {
			case 0:
				visit(e.to)
			case 1:
				var names []string
				for k := len(stack) - 1; k >= 0; k-- {
					names = append([]string{sc.steps[stack[k]].Name.Name}, names...)
					if stack[k] == e.to {
						break
					}
				}
				names = append(names, sc.steps[e.to].Name.Name)
				dc.ds.Errorf(e.pos, "unbounded cycle %s", strings.Join(names, " -> ")).Hint = "add maxVisits: N to one " + what + " of the cycle"
			}
		}
		stack = stack[:len(stack)-1]
		state[v] = 2
	}
	for i := 0; i < n; i++ {
		if state[i] == 0 && sc.steps[i].MaxVisits == 0 {
			visit(i)
		}
	}
}

// dominators computes, for each node, the nodes on every path to it from
// the entry (the simple iterative algorithm; scopes are small).
func (sc *scope) dominators() {
	n := len(sc.steps) + 1
	preds := make([][]int, n)
	for v := 0; v < n-1; v++ {
		if !sc.reach[v] {
			continue
		}
		for _, e := range sc.succ[v] {
			preds[e.to] = append(preds[e.to], v)
		}
	}
	sc.dom = make([][]bool, n)
	for v := range sc.dom {
		sc.dom[v] = make([]bool, n)
		for m := range sc.dom[v] {
			sc.dom[v][m] = v != sc.entry || m == sc.entry
		}
	}
	if len(sc.steps) == 0 {
		return
	}
	for changed := true; changed; {
		changed = false
		for v := 0; v < n; v++ {
			if v == sc.entry || !sc.reach[v] {
				continue
			}
			for m := 0; m < n; m++ {
				all := m == v || len(preds[v]) > 0
				for _, p := range preds[v] {
					all = all && (m == v || sc.dom[p][m])
				}
				if all != sc.dom[v][m] {
					sc.dom[v][m], changed = all, true
				}
			}
		}
	}
}

// before lists the steps that surely ran (or were skipped) before node v.
func (sc *scope) before(v int) []*Step {
	var out []*Step
	if v >= len(sc.dom) {
		return nil
	}
	for _, m := range sc.order {
		if m != v && sc.dom[v][m] && sc.reach[v] {
			out = append(out, sc.steps[m])
		}
	}
	return out
}
