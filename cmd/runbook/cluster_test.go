package main

import (
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

// TestCluster runs the engine on the two-node cluster: setup, two
// workers on different nodes with a shared codec key, and a run with AWS
// calls against kumo.
func TestCluster(t *testing.T) {
	needCluster(t)
	c := startCluster(t)
	n1, n2 := c.nodes[0].address, c.nodes[1].address
	env := e2eEnv(t)
	dir := workdir(t, map[string]string{"e2e.yaml": e2eRunbook})

	r := e2eRun(t, dir, env, "setup", "--address", n1, "--retention", "1d")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "namespace default: created (retention 1d)\n") || !strings.HasSuffix(r.stdout, setupLines("added")) {
		t.Fatalf("setup: %s", r)
	}
	key := codecKey(t, env)
	state := t.TempDir()
	for i, addr := range []string{n1, n2} {
		startChild(t, env, "worker "+string(rune('1'+i)), `worker on `, "worker", "--address", addr, "--codec-key-file", key, "--state-dir", state)
	}
	r = e2eRun(t, dir, env, "run", "e2e.yaml", "-p", "Queue=cluster-run", "--address", n2, "--codec-key-file", key, "--state-dir", state)
	if r.code != 0 || r.stdout != "succeeded; outputs: even=false visibility=45\n" {
		t.Fatalf("run: %s", r)
	}
}
