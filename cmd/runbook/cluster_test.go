package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The multi-node proof: a Temporal cluster the project does not embed
// (two server processes on one PostgreSQL), set up by `runbook setup`,
// driven by real processes of the binary. Only with RUNBOOK_CLUSTER=1
// (make test sets it); then anything missing fails the test.

// cluster is PostgreSQL and two Temporal nodes sharing it.
type cluster struct {
	pg    *postgres
	build temporalBuild
	nodes []*node
}

// needCluster skips the test or benchmark unless RUNBOOK_CLUSTER=1.
func needCluster(t testing.TB) {
	t.Helper()
	if os.Getenv("RUNBOOK_CLUSTER") != "1" {
		t.Skip("starts PostgreSQL and a two-node Temporal cluster: set RUNBOOK_CLUSTER=1 (make test and make bench do)")
	}
}

// startCluster builds (once) and starts the cluster: PostgreSQL, the
// schema, node 1, then node 2 (which joins node 1's ring).
func startCluster(t testing.TB) *cluster {
	t.Helper()
	c := &cluster{build: buildTemporal(t)}
	began := time.Now()
	c.pg = startPostgres(t)
	temporalSchema(t, c.build, c.pg)
	t.Logf("PostgreSQL on %d with the Temporal schema after %v", c.pg.port, time.Since(began).Round(10*time.Millisecond))
	for _, name := range []string{"node 1", "node 2"} {
		c.nodes = append(c.nodes, startNode(t, c.build, c.pg, name))
	}
	t.Logf("cluster up after %v", time.Since(began).Round(10*time.Millisecond))
	return c
}

// codecKey writes a key made by `runbook keygen` to a file the workers
// share, and returns its path.
func codecKey(t *testing.T, env []string) string {
	t.Helper()
	r := e2eRun(t, t.TempDir(), env, "keygen")
	if r.code != 0 || strings.Count(r.stdout, ":") != 1 {
		t.Fatalf("keygen: %s", r)
	}
	path := filepath.Join(t.TempDir(), "codec.keys")
	if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCluster runs the engine on the two-node cluster, through real
// processes of the binary: setup; two workers on different nodes and
// runbook serve, sharing a codec key; a run with AWS calls against kumo;
// an approval quorum through the API; a signed alarm hook starting a
// playbook; list, status and history on the other node; a cancel; then
// node 1 killed under sleeping and waiting executions (killNode).
func TestCluster(t *testing.T) {
	needCluster(t)
	c := startCluster(t)
	n1, n2 := c.nodes[0].address, c.nodes[1].address
	rg := newRig(t, e2eEnv(t))

	r := rg.direct(n1, "setup", "--retention", "1d")
	if r.code != 0 || r.stdout != "namespace default: created (retention 1d)\n"+setupLines("added") {
		t.Fatalf("setup: %s", r)
	}
	rg.worker("worker 1", n1)
	rg.worker("worker 2", n2)
	rg.serve(n2)
	r = rg.direct(n2, "run", "e2e.yaml", "-p", "Queue=cluster-run")
	if r.code != 0 || r.stdout != "succeeded; outputs: even=false visibility=45\n" {
		t.Fatalf("run: %s", r)
	}

	// Two approvals of ops, through the API: the requester's is refused.
	secret := rg.secret("cluster-gated")
	r = rg.as("alice", "start", "cluster-gated", "-p", "Secret="+secret)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatalf("start as alice: %s", r)
	}
	rg.until(30*time.Second, "0 of 2 approvals", func() result { return rg.as("bob", "status", id) })
	if r = rg.as("alice", "approve", id); r.code != 1 || !strings.Contains(r.stderr, "refused: alice started this execution") {
		t.Errorf("approve as alice, the requester: %s", r)
	}
	for i, who := range []string{"bob", "carol"} {
		if r = rg.as(who, "approve", id); r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("(%d of 2 approvals)", i+1)) {
			t.Fatalf("approve as %s: %s", who, r)
		}
	}
	rg.until(30*time.Second, "succeeded", func() result { return rg.direct(n1, "status", id) })
	if n := rg.puts(secret); n != 1 {
		t.Errorf("%s: %d puts, want 1", secret, n)
	}
	if r = rg.direct(n1, "history", id); r.code != 0 || !strings.Contains(r.stdout, "approved by bob (groups ops)") || !strings.Contains(r.stdout, "approved by carol (groups ops)") {
		t.Errorf("history on node 1: %s", r)
	}
	r = rg.until(30*time.Second, id, func() result { return rg.direct(n1, "list", "--name", "cluster-gated", "-o", "json") })
	var rows []listRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0].Name != "cluster-gated@1.0.0" {
		t.Errorf("list on node 1: %v\n%s", err, r)
	}

	// A signed alarm starts the playbook; its finding reads the AWS call.
	code, started := rg.hook(`{"name": "cluster-backlog", "arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cluster-backlog", "state": "ALARM",
  "time": "2026-12-01T10:00:00Z", "account": "123456789012", "region": "us-east-1",
  "metric": {"namespace": "AWS/SQS", "name": "ApproximateNumberOfMessagesVisible", "dimensions": {"QueueName": "cluster-orders"}}}`)
	if code != http.StatusAccepted || len(started) != 1 || started[0].Status != "started" {
		t.Fatalf("hook: %d %+v", code, started)
	}
	rg.until(30*time.Second, "queue cluster-orders at http", func() result { return rg.as("carol", "status", started[0].ID) })

	// A cancel through the API, of an execution that naps.
	nap := rg.secret("cluster-cancelled")
	r = rg.as("alice", "start", "cluster-nap", "-p", "Secret="+nap, "-p", "Nap=1h")
	id = strings.TrimSpace(r.stdout)
	rg.until(30*time.Second, "> nap", func() result { return rg.direct(n1, "status", id) })
	if r = rg.as("alice", "cancel", id); r.code != 0 {
		t.Fatalf("cancel: %s", r)
	}
	rg.until(30*time.Second, "canceled", func() result { return rg.direct(n1, "status", id) })
	if n := rg.puts(nap); n != 0 {
		t.Errorf("%s: %d puts after a cancel during the nap, want 0", nap, n)
	}

	killNode(t, rg, c)
}
