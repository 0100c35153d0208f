package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

// TestNoWorkerAnswers stops the only worker of an execution waiting for
// approval: approve without --request sends nothing and exits 3, approvals
// names the execution it could not read and exits 3; with a worker again
// the first approval counts (nothing was queued before it). After a
// cancel, status does not claim the step was approved.
func TestNoWorkerAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and workers")
	}
	env := e2eEnv(t)
	srv := startChild(t, env, "server", `Temporal server on (\S+) `, "server", "--no-worker", "--headless", "--port", "0", "--state-dir", t.TempDir())
	addr := srv.ready[1]
	workerArgs := []string{"worker", "--address", addr, "--insecure-generated-key"}
	w := startChild(t, env, "worker", `worker on `, workerArgs...)
	dir := workdir(t, map[string]string{"gated.yaml": e2eApproval})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr)...)
	}
	r := cli("start", "gated.yaml", "--as", "carol")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatalf("start: %s", r)
	}
	if !await(30*time.Second, func() bool { return strings.Contains(cli("approvals").stdout, id) }) {
		t.Fatalf("%s never listed as waiting", id)
	}
	w.stop()

	r = cli("approve", id, "--as", "alice")
	if want := "no worker answered the query for " + id + "; retry, or pass --request"; r.code != 3 || !strings.Contains(r.stderr, want) {
		t.Errorf("approve with no worker: want exit 3 and %q\n%s", want, r)
	}
	r = cli("approvals")
	if want := "could not read " + id; r.code != 3 || !strings.Contains(r.stderr, want) {
		t.Errorf("approvals with no worker: want exit 3 and %q\n%s", want, r)
	}

	// Through runbook serve, whose own worker polls another queue: the API
	// names the unread execution too, and the CLI says it.
	tokens := filepath.Join(dir, "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("- {sha256: "+serve.HashToken("alice-token")+", identity: alice}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, env, "--listen", "127.0.0.1:0", "--address", addr, "--tokens", tokens, "--task-queue", "elsewhere")
	r = e2eRun(t, dir, append(env, "RUNBOOK_SERVER="+base, "RUNBOOK_TOKEN=alice-token"), "approvals")
	if want := "could not read " + id; r.code != 3 || !strings.Contains(r.stderr, want) {
		t.Errorf("approvals through serve with no worker: want exit 3 and %q\n%s", want, r)
	}

	startChild(t, env, "worker again", `worker on `, workerArgs...)
	if r = cli("approve", id, "--as", "alice"); r.code != 0 || !strings.Contains(r.stdout, "1 of 2 approvals") {
		t.Fatalf("alice approves with a worker: %s", r)
	}
	if r = cli("cancel", id); r.code != 0 {
		t.Fatalf("cancel: %s", r)
	}
	if r = cli("watch", id); r.code != 1 {
		t.Errorf("watch after cancel: want exit 1\n%s", r)
	}
	r = cli("status", id)
	if strings.Contains(r.stdout, "approved by") || !strings.Contains(r.stdout, "alice approved at") {
		t.Errorf("status after cancel: want alice's decision and no \"approved by\"\n%s", r)
	}
}
