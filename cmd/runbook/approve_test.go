package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const e2eApproval = `apiVersion: runbook/v1
kind: Runbook
name: gated
version: 1.0.0
steps:
  - name: gate
    approve:
      approvers: [user:alice, user:bob, user:carol]
      minApprovals: 2
      message: Restart the fleet?
      timeout: 5m
  - name: greet
    script:
      command: [sh, -c, 'printf "hi %s" "$WHO"']
      env: {WHO: fleet}
    outputs: {said: result.stdout}
`

// TestApprovalCommands drives an approval through the CLI: the requester,
// an unlisted user and a wrong step are refused (and audited by the
// worker), two listed users approve, the script step runs on a worker
// that allows scripts.
func TestApprovalCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	state := t.TempDir()
	addr := e2eServerIn(t, env, state, "--allow-scripts")
	dir := workdir(t, map[string]string{"gated.yaml": e2eApproval})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr)...)
	}
	r := cli("start", "gated.yaml", "--as", "carol")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" || !strings.Contains(r.stderr, "taken on trust") {
		t.Fatalf("start --as: %s", r)
	}
	var listed bool
	for try := 0; try < 100 && !listed; try++ {
		r = cli("approvals", "-o", "json")
		var rows []struct{ ID, Step, Runbook string }
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != 0 {
			t.Fatalf("approvals -o json: %v\n%s", err, r)
		}
		for _, w := range rows {
			listed = listed || w.ID == id && w.Step == "gate" && w.Runbook == "gated@1.0.0"
		}
		if !listed {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !listed {
		t.Fatalf("approvals does not list %s:\n%s", id, r)
	}
	if r = cli("approvals"); !strings.Contains(r.stdout, "0 of 2 approvals") || !strings.Contains(r.stdout, "Restart the fleet?") {
		t.Errorf("approvals table:\n%s", r)
	}
	refusals := []struct{ args []string }{
		{[]string{"approve", id, "--as", "carol"}},
		{[]string{"approve", id, "--as", "mallory"}},
		{[]string{"approve", id, "--as", "bob", "--step", "greet"}},
	}
	wants := []string{"carol started this execution", "mallory is not among the approvers", "step greet is not waiting"}
	for i, x := range refusals {
		if r = cli(x.args...); r.code != 1 || !strings.Contains(r.stderr, "refused: "+wants[i]) {
			t.Errorf("%v: want exit 1 and %q\n%s", x.args, wants[i], r)
		}
	}
	if r = cli("approve", id, "--as", "alice", "--comment", "window is open"); r.code != 0 || !strings.Contains(r.stdout, "1 of 2 approvals") {
		t.Fatalf("alice approves: %s", r)
	}
	if r = cli("status", id); !strings.Contains(r.stdout, "|| gate waits for approval") || !strings.Contains(r.stdout, "alice approved") || !strings.Contains(r.stdout, "window is open") {
		t.Errorf("status while waiting:\n%s", r)
	}
	if r = cli("approve", id, "--as", "bob"); r.code != 0 || !strings.Contains(r.stdout, "2 of 2 approvals") {
		t.Fatalf("bob approves: %s", r)
	}
	if r = cli("watch", id); r.code != 0 || !strings.Contains(r.stderr, "said=hi fleet") || !strings.Contains(r.stderr, "approved by alice, bob") {
		t.Errorf("watch: %s", r)
	}
	raw, err := os.ReadFile(filepath.Join(state, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 3 {
		t.Fatalf("audit log:\n%s\nwant the 3 refusals", raw)
	}
	for i, who := range []string{"carol", "mallory", "bob"} {
		var rec struct{ Execution, Identity, Reason string }
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil || rec.Execution != id || rec.Identity != who || !strings.Contains(rec.Reason, wants[i]) {
			t.Errorf("audit line %d: %s (%v)", i, lines[i], err)
		}
	}
}
