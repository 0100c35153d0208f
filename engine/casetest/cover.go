package casetest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// Edge is one way out of a step that routing decides: a branch (its when
// and goto), the default, or onFailure's goto. `runbook test` reports the
// edges no case took.
type Edge struct {
	Step  string     `json:"step"` // "loop.check" for a step inside a forEach
	To    string     `json:"to"`
	Kind  string     `json:"kind"`           // when, default, onFailure
	When  string     `json:"when,omitempty"` // the branch's condition
	Pos   engine.Pos `json:"pos"`
	index int
	expr  *engine.Expr
}

// ID names the edge among a plan's.
func (e *Edge) ID() string { return e.Step + "/" + e.Kind + "/" + strconv.Itoa(e.index) }

// String is "count → flood (steps.count.n > 1)", "count → quiet
// (default)", "write → cleanup (onFailure)".
func (e *Edge) String() string {
	why := e.Kind
	if e.Kind == "when" {
		why = strings.Join(strings.Fields(e.When), " ")
	}
	return fmt.Sprintf("%s → %s (%s)", e.Step, e.To, why)
}

// Edges lists the routing edges of a plan's steps, finally and nested
// ones included, in order.
func Edges(p *engine.Plan) []*Edge {
	var out []*Edge
	var walk func(prefix string, steps []*engine.PlanStep)
	walk = func(prefix string, steps []*engine.PlanStep) {
		for _, s := range steps {
			name := prefix + s.Name
			for i, b := range s.Branch {
				out = append(out, &Edge{Step: name, To: b.Goto, Kind: "when", When: b.When.Src, Pos: b.When.Pos, index: i, expr: b.When})
			}
			if s.Default != "" {
				out = append(out, &Edge{Step: name, To: s.Default, Kind: "default", Pos: s.Pos})
			}
			if to, ok := strings.CutPrefix(s.OnFailure, "goto:"); ok {
				out = append(out, &Edge{Step: name, To: to, Kind: "onFailure", Pos: s.Pos})
			}
			walk(name+".", s.Steps)
		}
	}
	walk("", p.Steps)
	walk("", p.Finally)
	return out
}

// Untaken returns the edges of p that none of the results took.
func Untaken(p *engine.Plan, results []*Result) []*Edge {
	taken := map[string]bool{}
	for _, r := range results {
		for _, id := range r.Taken {
			taken[id] = true
		}
	}
	var out []*Edge
	for _, e := range Edges(p) {
		if !taken[e.ID()] {
			out = append(out, e)
		}
	}
	return out
}

// takenEdges finds the edges an execution took from its step records:
// the step that ran next in the same frame, and, where two edges lead
// there, the branch conditions evaluated again on the recorded outputs.
func takenEdges(p *engine.Plan, in engine.Input, out *engine.Outcome) []string {
	edges := map[string][]*Edge{}
	for _, e := range Edges(p) {
		edges[e.Step] = append(edges[e.Step], e)
	}
	frames := map[string]map[string]any{}
	exec := map[string]any{"id": testWorkflowID, "name": p.Name, "version": p.Version, "startedBy": in.StartedBy, "trigger": in.Trigger, "account": "", "region": ""}
	var taken []string
	for i, rec := range out.Steps {
		prefix, base := rec.Name[:len(rec.Name)-len(recordBase(rec.Name))], recordBase(rec.Name)
		s := stepAt(p, prefix, base)
		if s == nil {
			continue
		}
		steps := recordFrame(frames, prefix)
		steps[base] = nil
		next := ""
		for _, r := range out.Steps[i+1:] {
			if strings.HasPrefix(r.Name, prefix) && !strings.Contains(r.Name[len(prefix):], ".") {
				next = recordBase(r.Name)
				break
			}
		}
		path := edgePath(prefix) + base
		switch rec.Status {
		case engine.StatusFailed:
			for _, e := range edges[path] {
				if e.Kind == "onFailure" && e.To == next {
					taken = append(taken, e.ID())
				}
			}
		case engine.StatusSucceeded:
			outs := map[string]any{}
			for k, v := range rec.Outputs {
				outs[k] = v
				if o := planOutput(s.Outputs, k); o != nil {
					outs[k] = engine.Coerce(v, o.Type)
				}
			}
			steps[base] = outs
			env := map[string]any{"params": in.Params, "steps": steps, "execution": exec, "alarm": nil}
			if in.Alarm != nil {
				env["alarm"] = in.Alarm
			}
			if e := routeTaken(s, edges[path], next, env, rec.End); e != nil {
				taken = append(taken, e.ID())
			}
		}
	}
	return taken
}

// routeTaken picks the when or default edge of s that led to next: the
// only one that leads there, else (two lead there, or one and the fall
// through to the next step) the one the conditions choose.
func routeTaken(s *engine.PlanStep, edges []*Edge, next string, env map[string]any, at time.Time) *Edge {
	var leads []*Edge
	for _, e := range edges {
		if e.Kind != "onFailure" && e.To == next {
			leads = append(leads, e)
		}
	}
	switch {
	case len(leads) == 0:
		return nil
	case len(leads) == 1 && (s.Default != "" || s.Next != next):
		return leads[0]
	}
	now := func() time.Time { return at }
	for _, e := range edges {
		switch e.Kind {
		case "when":
			v, err := engine.Eval(e.expr, env, now)
			if err != nil {
				return leads[0]
			}
			if v == true {
				return e
			}
		case "default":
			return e
		}
	}
	return nil // no condition holds, no default: the next step
}

// recordFrame returns the outputs seen in the frame of records with prefix (""
// or "loop[0]."), starting from its parent frame's.
func recordFrame(frames map[string]map[string]any, prefix string) map[string]any {
	if f, ok := frames[prefix]; ok {
		return f
	}
	f := map[string]any{}
	if prefix != "" {
		trimmed := strings.TrimSuffix(prefix, ".")
		parent := trimmed[:strings.LastIndexByte(trimmed, '.')+1]
		for k, v := range recordFrame(frames, parent) {
			f[k] = v
		}
	}
	frames[prefix] = f
	return f
}

// edgePath turns a record prefix ("loop[0].") into an edge's step prefix
// ("loop.").
func edgePath(prefix string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimSuffix(prefix, "."), ".") {
		if seg == "" {
			continue
		}
		name, _, _ := strings.Cut(seg, "[")
		b.WriteString(name + ".")
	}
	return b.String()
}

// stepAt finds the step a record names: base in the steps of the frame
// with prefix.
func stepAt(p *engine.Plan, prefix, base string) *engine.PlanStep {
	lists := [][]*engine.PlanStep{p.Steps, p.Finally}
	for _, seg := range strings.Split(strings.TrimSuffix(prefix, "."), ".") {
		if seg == "" {
			continue
		}
		name, _, _ := strings.Cut(seg, "[")
		s := findStep(lists, name)
		if s == nil {
			return nil
		}
		lists = [][]*engine.PlanStep{s.Steps}
	}
	return findStep(lists, base)
}

func findStep(lists [][]*engine.PlanStep, name string) *engine.PlanStep {
	for _, l := range lists {
		for _, s := range l {
			if s.Name == name {
				return s
			}
		}
	}
	return nil
}
