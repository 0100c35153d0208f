package interp

import (
	"slices"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// FuzzDecision sends arbitrary approval requests to an execution with two
// steps waiting: the validator must never panic, and never admit a
// decision by the requester, by someone matching no approver, for a step
// not waiting, or naming another request than the one waiting.
func FuzzDecision(f *testing.F) {
	f.Add("approve", "gate", "alice", "", "req-gate", "ok")
	f.Add("reject", "", "carol", "dba", "req-gate", "")
	f.Add("approve", "each[1].gate", "bob", "ops", "req-each", "x")
	f.Add("approve", "gate", "mallory", "dba,ops", "", "")
	f.Fuzz(func(t *testing.T, kind, step, identity, groups, request, comment string) {
		it := &interp{}
		for _, w := range []struct{ name, req string }{{"gate", "req-gate"}, {"each[1].gate", "req-each"}} {
			it.waits = append(it.waits, &wait{rec: &engine.StepRecord{Name: w.name, Status: engine.StatusWaiting, Approval: &engine.Approval{
				Approvers: []string{"user:alice", "group:ops"}, MinApprovals: 2, Requester: "carol", Request: w.req,
				Decisions: []*engine.Decision{{Identity: "bob", Decision: engine.UpdateApprove}},
			}}})
		}
		d := engine.Decision{Step: step, Identity: identity, Comment: comment, Request: request}
		if groups != "" {
			d.Groups = strings.Split(groups, ",")
		}
		if it.admissible(kind, d) != nil {
			return
		}
		w := it.waits[slices.IndexFunc(it.waits, func(w *wait) bool { return w.rec.Name == step })]
		a := w.rec.Approval
		switch {
		case identity == "" || identity == a.Requester:
			t.Fatalf("admitted %+v: the requester or no one", d)
		case !Matches(a.Approvers, identity, d.Groups):
			t.Fatalf("admitted %+v: not an approver", d)
		case identity == "bob":
			t.Fatalf("admitted %+v: bob already decided", d)
		case request != a.Request:
			t.Fatalf("admitted %+v: request %q waits", d, a.Request)
		}
	})
}
