package casetest

import (
	"slices"

	"github.com/runbook-dev/runbook/engine"
	"gopkg.in/yaml.v3"
)

// The loading of a case's decisions: `approvals:` or `people:`, one list
// under either name (see File).

// people reads the list under approvals: or people:; again says the case
// gave the other one already.
func (l *testLoader) people(p engine.Pair, again bool) []*Approval {
	if again {
		l.Errorf(p.K, "a case lists its decisions under approvals or people, not both")
	}
	if p.V.Kind != yaml.SequenceNode {
		l.Errorf(p.V, "%s must be a list, not %s", p.Key, engine.Describe(p.V))
		return nil
	}
	out := []*Approval{}
	for _, n := range p.V.Content {
		out = append(out, l.testApproval(n))
	}
	return out
}

// decisions are the values of an entry's decision.
var decisions = []string{engine.UpdateApprove, engine.UpdateReject, engine.UpdateDone, engine.UpdateAnswer}

func (l *testLoader) testApproval(n *yaml.Node) *Approval {
	n = engine.Deref(n)
	a := &Approval{Pos: l.Pos(n), keys: map[string]engine.Pos{}}
	for _, p := range l.Mapping(n, "an approval", testApprovalFields) {
		a.keys[p.Key] = l.Pos(p.K)
		switch p.Key {
		case "step":
			a.Step = l.Ident(p.V, "step")
		case "by":
			a.By, _ = l.Str(p.V, "by")
		case "groups":
			for _, g := range l.StrList(p.V, "groups") {
				a.Groups = append(a.Groups, g.Name)
			}
		case "after":
			if d := l.Duration(p.V, "after"); d != nil && d.Expr == nil {
				a.After = d.D
			} else if d != nil {
				l.Errorf(p.V, "after is literal: it cannot use ${{ }}")
			}
		case "decision":
			d, _ := l.Str(p.V, "decision")
			if !slices.Contains(decisions, d) {
				l.Errorf(p.V, "decision is approve, reject, done or answer, not %q", d).Hint = engine.DidYouMean(d, decisions)
			}
			a.Decision = d
		case "comment", "note":
			a.Comment, _ = l.Str(p.V, p.Key)
		case "checked":
			l.checked(a, p.V)
		case "answer":
			if a.Answer = l.Literal(p.V); a.Answer.Kind != engine.Map {
				l.Errorf(p.V, "answer must be a mapping of the step's fields to values, not %s", engine.Describe(p.V))
				a.Answer = nil
			}
		case "refused":
			a.Refused = l.Bool(p.V, "refused")
		}
	}
	if _, ok := a.keys["note"]; ok {
		if _, both := a.keys["comment"]; both {
			l.Diags.Errorf(a.keys["note"], "give a note (done) or a comment (approve, reject), not both")
		}
	}
	if a.By == "" {
		l.Diags.Errorf(a.Pos, "an approval needs by: who decides")
	}
	return a
}

// checked reads a done's checked: `all` (every item, as when left out)
// or the list of the items confirmed.
func (l *testLoader) checked(a *Approval, n *yaml.Node) {
	n = engine.Deref(n)
	if n.Kind == yaml.ScalarNode && n.Value == "all" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "checked is `all` or a list of checklist items, not %s", engine.Describe(n))
		return
	}
	a.Checked, a.Listed = l.StrList(n, "checked"), true
}
