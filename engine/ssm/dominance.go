package ssm

import (
	"regexp"
	"strings"
)

// flowGraph is the v1 steps' successors as the engine sees them; node
// len(steps) is the successful end.
type flowGraph struct {
	index map[string]int
	succ  [][]int
}

func newFlowGraph(steps []*step) *flowGraph {
	g := &flowGraph{index: map[string]int{}, succ: make([][]int, len(steps)+1)}
	for i, s := range steps {
		g.index[s.Name] = i
	}
	to := func(name string) int { return g.index[strings.TrimPrefix(name, "goto:")] }
	for i, s := range steps {
		var next []int
		switch {
		case s.Fail != "":
		case s.Succeed != "":
			next = []int{len(steps)}
		case len(s.Branch) > 0 || s.Default != "":
			for _, r := range s.Branch {
				next = append(next, to(r.Goto))
			}
			if s.Default != "" {
				next = append(next, to(s.Default))
			} else {
				next = append(next, i+1)
			}
		default:
			next = []int{i + 1}
		}
		if s.If != "" || s.OnFailure == "continue" {
			next = append(next, i+1)
		}
		if strings.HasPrefix(s.OnFailure, "goto:") {
			next = append(next, to(s.OnFailure))
		}
		g.succ[i] = next
	}
	return g
}

// reaches reports whether node to can be reached from the first step
// without passing through node avoid.
func (g *flowGraph) reaches(to, avoid int) bool {
	if avoid == 0 {
		return false
	}
	seen := make([]bool, len(g.succ))
	stack := []int{0}
	seen[0] = true
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == to {
			return true
		}
		for _, m := range g.succ[n] {
			if m != avoid && !seen[m] {
				seen[m] = true
				stack = append(stack, m)
			}
		}
	}
	return false
}

// dominates reports whether step x surely ran before node n.
func (g *flowGraph) dominates(x string, n int) bool {
	i, ok := g.index[x]
	return ok && i != n && !g.reaches(n, i)
}

var stepRef = regexp.MustCompile(`\bsteps\.([A-Za-z][A-Za-z0-9_]*)`)

// readsOf lists the steps an expression or a step's fields read.
func readsOf(v any) []string {
	text := textOf(v)
	var out []string
	for _, m := range stepRef.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// checkReads reports the steps that read outputs of a step that may not
// have run (SSM lets a later step name a step of another branch), and
// keeps only the document outputs whose step surely ran (SSM leaves the
// others out).
func (t *translator) checkReads(steps []*step, outputs [][2]string) [][2]string {
	g := newFlowGraph(steps)
	for i, s := range steps {
		for _, x := range readsOf(s) {
			if x != s.Name && !g.dominates(x, i) {
				t.problems = append(t.problems, Problem{Step: s.Name, Reason: "reads the output of a step that may not have run (another branch)", Detail: "steps." + x})
				break
			}
		}
	}
	var kept [][2]string
	for _, o := range outputs {
		ok := true
		for _, x := range readsOf(o[1]) {
			ok = ok && g.dominates(x, len(steps))
			if !g.dominates(x, len(steps)) && len(t.copies[x]) > 0 {
				// SSM gives this output; v1 would have to read one of
				// the copies.
				t.problems = append(t.problems, Problem{Reason: "a document output of a step split by the paths that reach it", Detail: o[0] + ": steps." + x + ", " + strings.Join(t.copies[x], ", ")})
			}
		}
		if ok {
			kept = append(kept, o)
		}
	}
	return kept
}

// prune drops the steps no route reaches: SSM never runs them, and v1
// cannot type their reads.
func prune(steps []*step) []*step {
	g := newFlowGraph(steps)
	seen := make([]bool, len(g.succ))
	stack := []int{0}
	seen[0] = true
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, m := range g.succ[n] {
			if !seen[m] {
				seen[m] = true
				stack = append(stack, m)
			}
		}
	}
	var out []*step
	for i, s := range steps {
		if seen[i] {
			out = append(out, s)
		}
	}
	return out
}

// from lists the nodes reached from node start (itself included) without
// passing node avoid (-1: none).
func (g *flowGraph) from(start, avoid int) []bool {
	seen := make([]bool, len(g.succ))
	if start == avoid {
		return seen
	}
	stack := []int{start}
	seen[start] = true
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, m := range g.succ[n] {
			if m != avoid && !seen[m] {
				seen[m] = true
				stack = append(stack, m)
			}
		}
	}
	return seen
}

// leadsTo lists the nodes from which a node where target holds can be
// reached (those nodes included).
func (g *flowGraph) leadsTo(target func(int) bool) []bool {
	preds := make([][]int, len(g.succ))
	for n, ms := range g.succ {
		for _, m := range ms {
			preds[m] = append(preds[m], n)
		}
	}
	seen := make([]bool, len(g.succ))
	var stack []int
	for n := range g.succ {
		if target(n) {
			seen[n] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range preds[n] {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return seen
}

// preds lists each node's predecessors.
func (g *flowGraph) preds() [][]int {
	p := make([][]int, len(g.succ))
	for n, ms := range g.succ {
		for _, m := range ms {
			p[m] = append(p[m], n)
		}
	}
	return p
}
