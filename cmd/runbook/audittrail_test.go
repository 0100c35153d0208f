package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const auditedApproval = `apiVersion: runbook/v1
kind: Runbook
name: audited
version: 1.0.0
steps:
  - name: gate
    approve:
      approvers: [user:alice, user:bob]
      message: Go?
      timeout: 5m
`

// TestAuditTrail: workers given --archive write every refused decision,
// whichever of them refused it, as an object under audit/DAY/ of the
// archive destination: one trail for the deployment.
func TestAuditTrail(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := append(e2eEnv(t), "RUNBOOK_INSECURE_GENERATED_KEY=true")
	state := t.TempDir()
	addr := e2eServerIn(t, env, state, "--no-worker")
	dir := workdir(t, map[string]string{"audited.yaml": auditedApproval})
	trail := t.TempDir()
	for _, name := range []string{"worker 1", "worker 2"} {
		startChild(t, env, name, `worker on `, "worker", "--address", addr, "--state-dir", t.TempDir(), "--archive", trail)
	}
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr, "--state-dir", state)...)
	}
	r := cli("start", "audited.yaml", "--as", "alice")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, who := range []string{"alice", "mallory"} {
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			a := cli("approve", id, "--step", "gate", "--as", who)
			if a.code == 1 && strings.Contains(a.stderr, "refused") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("approve as %s: %s", who, a)
			}
		}
	}
	var got []string
	for deadline := time.Now().Add(30 * time.Second); len(got) < 2; time.Sleep(200 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(trail, "audit", "*", "*.json"))
		got = got[:0]
		for _, f := range files {
			b, err := os.ReadFile(f)
			var rec struct{ Execution, Identity, Decision, Reason string }
			if err != nil || json.Unmarshal(b, &rec) != nil || rec.Execution != id {
				t.Fatalf("%s: %v %s", f, err, b)
			}
			got = append(got, rec.Identity)
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit trail under %s after 30s: %v", trail, got)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"alice", "mallory"}) {
		t.Errorf("audit trail: %v, want alice's and mallory's refusals", got)
	}
}
