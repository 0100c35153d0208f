package casetest

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// The checking of a case's decisions (approvals: or people:) against the
// human steps of the plan.

// decisionRuns is how a step a decision acts on runs.
var decisionRuns = map[string]engine.Runs{
	engine.UpdateApprove: engine.RunsApproval,
	engine.UpdateReject:  engine.RunsApproval,
	engine.UpdateDone:    engine.RunsManual,
	engine.UpdateAnswer:  engine.RunsAsk,
}

// kindWord names the steps that run as r, for messages.
var kindWord = map[engine.Runs]string{engine.RunsApproval: "approve", engine.RunsManual: "manual", engine.RunsAsk: "ask"}

// approval checks a decision: its step is a human step of the kind its
// decision acts on (an entry without decision takes its step's), and
// what it carries fits that kind.
func (tc *testCheck) approval(a *Approval) {
	if a.Decision == "" && a.Answer != nil {
		a.Decision = engine.UpdateAnswer
	} else if _, ok := a.keys["checked"]; a.Decision == "" && ok {
		a.Decision = engine.UpdateDone
	}
	if a.Step.Name == "" {
		a.Decision = cmp.Or(a.Decision, engine.UpdateApprove)
		tc.carries(a)
		return
	}
	var s *engine.PlanStep
	if ss := tc.named[recordBase(a.Step.Name)]; len(ss) > 0 && tc.opts.Kinds.Lookup(ss[0].Kind).Human() {
		s = ss[0]
	}
	want, known := decisionRuns[a.Decision]
	switch {
	case s == nil || want != 0 && !tc.runs(s, want):
		tc.notHuman(a, want)
		return
	case a.Decision != "" && !known:
		return // Load said
	}
	if a.Decision == "" {
		a.Decision = verbOf(tc.opts.Kinds.Lookup(s.Kind).Runs)
	}
	if !tc.carries(a) {
		return
	}
	switch a.Decision {
	case engine.UpdateAnswer:
		tc.answer(a, s)
	case engine.UpdateDone:
		tc.checklist(a, s)
	}
}

// verbOf is the update that acts on a step that runs as r.
func verbOf(r engine.Runs) string {
	switch r {
	case engine.RunsManual:
		return engine.UpdateDone
	case engine.RunsAsk:
		return engine.UpdateAnswer
	}
	return engine.UpdateApprove
}

// notHuman reports a decision whose step is no human step of the kind
// it acts on (want; 0: any human step), with the steps that are.
func (tc *testCheck) notHuman(a *Approval, want engine.Runs) {
	var names []string
	for name, ss := range tc.named {
		k := tc.opts.Kinds.Lookup(ss[0].Kind)
		if want == 0 && k.Human() || want != 0 && tc.runs(ss[0], want) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	what, list := "approve, manual or ask", "human"
	if want != 0 {
		what, list = kindWord[want], kindWord[want]
	}
	d := tc.ds.Errorf(a.Step.Pos, "step %q is no %s step of %s", a.Step.Name, what, tc.plan.Name)
	d.Hint = cmp.Or(engine.DidYouMean(a.Step.Name, names), list+" steps: "+cmp.Or(strings.Join(names, ", "), "none"))
}

// carries reports whether a decision carries only what its kind takes:
// an answer only an answer, note and checked only a done, a comment not
// a done nor an answer.
func (tc *testCheck) carries(a *Approval) bool {
	ok := true
	misplaced := func(key, goes string) {
		if pos, given := a.keys[key]; given {
			tc.ds.Errorf(pos, "%s goes with decision: %s, not %s", key, goes, a.Decision)
			ok = false
		}
	}
	switch a.Decision {
	case engine.UpdateAnswer:
		if a.Answer == nil {
			tc.ds.Errorf(a.Pos, "an answer needs answer: {FIELD: VALUE}, the step's fields")
			ok = false
		}
		misplaced("note", engine.UpdateDone)
		misplaced("checked", engine.UpdateDone)
		misplaced("comment", "approve or reject")
	case engine.UpdateDone:
		misplaced("answer", engine.UpdateAnswer)
		misplaced("comment", "approve or reject (a done has a note)")
	default:
		misplaced("answer", engine.UpdateAnswer)
		misplaced("note", engine.UpdateDone)
		misplaced("checked", engine.UpdateDone)
	}
	return ok
}

// answer checks an answer against the ask step's fields as the workflow
// will (engine.CheckAnswer), each problem at the value, the key or the
// answer it is about.
func (tc *testCheck) answer(a *Approval, s *engine.PlanStep) {
	given, _ := testData(a.Answer).(map[string]any)
	_, err := engine.CheckAnswer(s.Fields, given)
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		pos := a.Answer.Pos
		rest, unknown := strings.CutPrefix(line, "unknown field ")
		name := strings.TrimPrefix(strings.TrimPrefix(rest, "missing field "), "field ")
		if i := strings.IndexAny(name, ":; "); i >= 0 {
			name = name[:i]
		}
		for _, e := range a.Answer.Map {
			switch {
			case e.Key == name && unknown:
				pos = e.KeyPos
			case e.Key == name:
				pos = e.Value.Pos
			}
		}
		tc.ds.Errorf(pos, "the answer to step %s: %s", s.Name, line)
	}
}

// checklist checks the items a done confirms: each is an item of the
// step's checklist (unless an item is built at run time, from ${{ }}).
func (tc *testCheck) checklist(a *Approval, s *engine.PlanStep) {
	list := s.Arg("checklist")
	if !list.IsLiteral() {
		return
	}
	var items []string
	if list != nil {
		for _, v := range list.List {
			items = append(items, v.Str)
		}
	}
	for _, c := range a.Checked {
		if !slices.Contains(items, c.Name) {
			d := tc.ds.Errorf(c.Pos, "step %s's checklist has no item %q", s.Name, c.Name)
			d.Hint = cmp.Or(engine.DidYouMean(c.Name, items), "its checklist: "+cmp.Or(strings.Join(quoted(items), ", "), "none"))
		}
	}
}

// quoted is each of list in quotes.
func quoted(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(s)
	}
	return out
}
