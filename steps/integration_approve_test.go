package steps_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

const quorum = `apiVersion: runbook/v1
kind: Runbook
name: quorum
version: 1.0.0
steps:
  - name: gate
    approve:
      approvers: [user:alice, user:bob, user:carol, group:dba]
      minApprovals: 2
      message: Proceed?
      timeout: ${{ params.Timeout }}
  - name: done
    log: approved
params:
  Timeout: {type: duration, default: 1m}
`

// waitStep polls the execution's state until step has status.
func (h *harness) waitStep(id, step, status string) *engine.StepRecord {
	h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if o := h.state(id); o != nil {
			for _, r := range o.Steps {
				if r.Name == step && r.Status == status {
					return r
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("step %s of %s never became %s: %+v", step, id, status, h.state(id))
	return nil
}

func (h *harness) decide(id, kind string, d engine.Decision) (*engine.Approval, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return interp.Decide(ctx, h.client, id, kind, d)
}

// mustRefuse sends a decision that must be refused with a reason
// containing want.
func (h *harness) mustRefuse(id, kind string, d engine.Decision, want string) {
	h.t.Helper()
	_, err := h.decide(id, kind, d)
	if err == nil || !strings.Contains(err.Error(), want) {
		h.t.Errorf("%s %+v: got %v, want a refusal saying %q", kind, d, err, want)
	}
}

func TestIntegrationApprovalQuorum(t *testing.T) {
	h := newHarness(t)
	id, err := h.startAs(h.plan(quorum), nil, "carol")
	if err != nil {
		t.Fatal(err)
	}
	rec := h.waitStep(id, "gate", engine.StatusWaiting)
	if a := rec.Approval; a == nil || a.MinApprovals != 2 || a.Requester != "carol" || a.Message != "Proceed?" {
		t.Fatalf("approval record %+v", rec.Approval)
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "carol"}, "carol started this execution")
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "mallory"}, "mallory is not among the approvers")
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Step: "done"}, "step done is not waiting")
	if a, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Comment: "looks fine"}); err != nil || len(a.Decisions) != 1 {
		t.Fatalf("alice's approval: %+v, %v", a, err)
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}, "alice already decided")
	if st := h.state(id); st.Status != engine.StatusRunning || st.Steps[0].Status != engine.StatusWaiting {
		t.Fatalf("one approval of two must not proceed: %s, %+v", st.Status, st.Steps[0])
	}
	// A group member counts once, by identity.
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "dave", Groups: []string{"dba"}}); err != nil {
		t.Fatalf("dave (group dba): %v", err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	a := out.Steps[0].Approval
	if len(a.Decisions) != 2 || a.Decisions[0].Identity != "alice" || a.Decisions[0].Comment != "looks fine" ||
		a.Decisions[1].Identity != "dave" || a.Decisions[1].Decision != "approve" || a.Decisions[1].Time.IsZero() {
		t.Errorf("decisions %+v", a.Decisions)
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "bob"}, "")
	refused := h.audit.all()
	var reasons []string
	for _, r := range refused {
		if r.Execution != id || r.Runbook != "quorum@1.0.0" {
			t.Errorf("refusal %+v", r)
		}
		reasons = append(reasons, r.Identity+": "+r.Reason)
	}
	if len(refused) != 4 {
		t.Errorf("audited refusals:\n%s\nwant the 4 refused while running", strings.Join(reasons, "\n"))
	}
}

func TestIntegrationApprovalRejectAndTimeout(t *testing.T) {
	h := newHarness(t)
	id, err := h.start(h.plan(quorum), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.waitStep(id, "gate", engine.StatusWaiting)
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.decide(id, engine.UpdateReject, engine.Decision{Identity: "bob", Comment: "not during the sale"}); err != nil {
		t.Fatal(err)
	}
	out, err := h.wait(id)
	if err == nil || out.Status != engine.StatusFailed || out.Failed != "gate" || out.Error.Type != "Rejected" || !strings.Contains(out.Error.Message, "bob: not during the sale") {
		t.Errorf("rejected: %+v %v", out, err)
	}
	if len(out.Steps) != 1 {
		t.Errorf("no step may run after a rejection: %+v", out.Steps)
	}

	start := time.Now()
	id, err = h.start(h.plan(quorum), map[string]any{"Timeout": "2s"})
	if err != nil {
		t.Fatal(err)
	}
	h.waitStep(id, "gate", engine.StatusWaiting)
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}); err != nil {
		t.Fatal(err)
	}
	out, err = h.wait(id)
	if err == nil || out.Error == nil || out.Error.Type != "ApprovalTimedOut" || !strings.Contains(out.Error.Message, "1 of 2") {
		t.Errorf("timed out: %+v %v", out, err)
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Errorf("the wait ended after %v, before its 2s timeout", el)
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "bob"}, "")
}

// TestIntegrationApprovalBound: an approval names the request it answers,
// which binds it to the run, the step's wait, the plan's digest and the
// params: a decision naming another request (or none) is refused and
// audited; the right one counts. The request shows the digest and params.
func TestIntegrationApprovalBound(t *testing.T) {
	h := newHarness(t)
	p := h.plan(quorum)
	id, err := h.startAs(p, map[string]any{"Timeout": "1m"}, "carol")
	if err != nil {
		t.Fatal(err)
	}
	a := h.waitStep(id, "gate", engine.StatusWaiting).Approval
	if len(a.Request) != 16 || a.Digest != p.Digest || a.Params["Timeout"] != "1m" {
		t.Fatalf("request %q digest %q (plan %q) params %v", a.Request, a.Digest, p.Digest, a.Params)
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Request: "0123456789abcdef"}, "what you were shown is not what waits")
	// A request of another execution of the same plan and params does not
	// count here either: the run differs.
	other, err := h.startAs(p, map[string]any{"Timeout": "1m"}, "carol")
	if err != nil {
		t.Fatal(err)
	}
	b := h.waitStep(other, "gate", engine.StatusWaiting).Approval
	if b.Request == a.Request {
		t.Fatal("two executions share an approval request")
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice", Request: b.Request}, "not what waits")
	// Sent straight to the workflow without a request: refused.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	uh, err := h.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: engine.UpdateApprove,
		Args: []any{engine.Decision{Identity: "alice"}}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = uh.Get(ctx, nil)
	}
	if err == nil {
		t.Error("an unbound decision was not refused")
	} else if !strings.Contains(err.Error(), "must name the approval request") {
		t.Errorf("unbound decision: %v", err)
	}
	for _, who := range []string{"alice", "bob"} {
		if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: who, Request: a.Request}); err != nil {
			t.Fatalf("%s with the request shown: %v", who, err)
		}
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
	if n := len(h.audit.all()); n != 3 {
		t.Errorf("%d refusals audited, want 3: %+v", n, h.audit.all())
	}
}

// TestIntegrationIdentityFold: identities compare case-folded and
// trimmed: the requester written otherwise is still the requester, an
// approver written otherwise is still listed, and decides once.
func TestIntegrationIdentityFold(t *testing.T) {
	h := newHarness(t)
	id, err := h.startAs(h.plan(head("fold")+`steps:
  - name: gate
    approve: {approvers: [user:alice, user:carol, group:ops], minApprovals: 2, timeout: 1m}
`), nil, "carol")
	if err != nil {
		t.Fatal(err)
	}
	h.waitStep(id, "gate", engine.StatusWaiting)
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "Carol "}, "started this execution")
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "ALICE"}); err != nil {
		t.Fatalf("ALICE, listed as user:alice: %v", err)
	}
	h.mustRefuse(id, engine.UpdateApprove, engine.Decision{Identity: "alice"}, "already decided")
	if _, err := h.decide(id, engine.UpdateApprove, engine.Decision{Identity: "dan", Groups: []string{" Ops"}}); err != nil {
		t.Fatalf("dan of group Ops, listed as group:ops: %v", err)
	}
	out, err := h.wait(id)
	mustSucceed(t, out, err)
}
