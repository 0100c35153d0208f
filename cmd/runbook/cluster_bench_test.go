package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// clusterBenchSteps is the number of read-only AWS steps of the
// benchmark's runbook, each one activity.
const clusterBenchSteps = 20

// clusterBenchRunbook is a runbook of clusterBenchSteps calls of
// sts:GetCallerIdentity, one after the other.
func clusterBenchRunbook() string {
	var b strings.Builder
	b.WriteString("apiVersion: runbook/v1\nkind: Runbook\nname: bench-cluster\nversion: 1.0.0\nsteps:\n")
	for i := range clusterBenchSteps {
		fmt.Fprintf(&b, "  - name: call%02d\n    aws: sts:GetCallerIdentity\n", i+1)
	}
	return b.String()
}

// BenchmarkClusterProcess compares the time a step takes on the two-node
// PostgreSQL cluster with the embedded server's (SQLite), measured in
// one run: `runbook run -o json` of a runbook of 20 read-only AWS steps
// (against kumo), the rounds alternating between an embedded `runbook
// server --no-worker` with one `runbook worker`, and the cluster (set
// up by `runbook setup`) with one `runbook worker` per node. Per
// backend: ms/step is the median of the steps' durations (end minus
// start, as recorded), wall-ms/step the median of the executions' spans
// (first step's start to last step's end) divided by 20; cluster/embedded
// is the ratio of the ms/step medians. Only with RUNBOOK_CLUSTER=1 (make
// bench sets it).
func BenchmarkClusterProcess(b *testing.B) {
	needCluster(b)
	env := e2eEnv(b)
	c := startCluster(b)
	dir := b.TempDir()
	file := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(file, []byte(clusterBenchRunbook()), 0o644); err != nil {
		b.Fatal(err)
	}
	if r := e2eRun(b, dir, env, "setup", "--address", c.nodes[0].address); r.code != 0 {
		b.Fatalf("setup: %s", r)
	}
	embeddedAddr := e2eServerIn(b, env, b.TempDir(), "--no-worker")
	state := b.TempDir()
	startChild(b, env, "embedded worker", `worker on `, "worker", "--address", embeddedAddr, "--insecure-generated-key", "--state-dir", state)
	for i, n := range c.nodes {
		startChild(b, env, fmt.Sprintf("cluster worker %d", i+1), `worker on `, "worker", "--address", n.address, "--insecure-generated-key", "--state-dir", state)
	}
	backends := []struct{ name, addr string }{{"embedded", embeddedAddr}, {"cluster", c.nodes[0].address}}
	// One untimed run on each warms the workers and the servers.
	for _, be := range backends {
		clusterBenchRun(b, dir, env, be.addr, state, file)
	}
	steps := map[string][]time.Duration{}
	spans := map[string][]time.Duration{}
	rounds := benchProcRounds(5)
	for b.Loop() {
		for i := range rounds {
			for j := range backends {
				be := backends[(i+j)%2] // the order alternates
				out := clusterBenchRun(b, dir, env, be.addr, state, file)
				for _, s := range out.Steps {
					steps[be.name] = append(steps[be.name], s.End.Sub(s.Start))
				}
				span := out.Steps[len(out.Steps)-1].End.Sub(out.Steps[0].Start)
				spans[be.name] = append(spans[be.name], span/clusterBenchSteps)
			}
		}
	}
	b.ReportMetric(0, "ns/op")
	for _, be := range backends {
		b.ReportMetric(clusterMS(steps[be.name]), be.name+"-ms/step")
		b.ReportMetric(clusterMS(spans[be.name]), be.name+"-wall-ms/step")
	}
	b.ReportMetric(clusterMS(steps["cluster"])/clusterMS(steps["embedded"]), "cluster/embedded")
}

// clusterBenchRun runs the runbook on addr and returns its outcome.
func clusterBenchRun(b *testing.B, dir string, env []string, addr, state, file string) *engine.Outcome {
	b.Helper()
	r := e2eRun(b, dir, env, "run", file, "--address", addr, "--state-dir", state, "-o", "json")
	var res struct{ Outcome *engine.Outcome }
	if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || res.Outcome == nil || len(res.Outcome.Steps) != clusterBenchSteps {
		b.Fatalf("run on %s: %v\n%s", addr, err, r)
	}
	return res.Outcome
}

// clusterMS is the median of ds in milliseconds.
func clusterMS(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return float64(m) / float64(time.Millisecond)
}
