package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// The cluster harness, part 3: the Temporal schema in PostgreSQL, made
// by the server's own tool from the module's schema files, and server
// processes (nodes) that each run the four services on ports of their
// own and find each other through the membership table they share.

// clusterShards is the number of history shards: small, so that a node
// that goes away hands over its shards quickly, but enough that each of
// two nodes surely owns some (with 4, one node owns none about one time
// in eight).
const clusterShards = 16

// temporalSchema creates the two databases and their schema.
func temporalSchema(t testing.TB, b temporalBuild, pg *postgres) {
	t.Helper()
	for db, schema := range map[string]string{"temporal": "temporal", "temporal_visibility": "visibility"} {
		versioned := filepath.Join(b.moduleDir, "schema", "postgresql", "v12", schema, "versioned")
		for _, args := range [][]string{
			{"create-database"},
			{"setup-schema", "-v", "0.0"},
			{"update-schema", "-d", versioned},
		} {
			argv := append([]string{"--plugin", "postgres12", "--ep", "127.0.0.1", "-p", fmt.Sprint(pg.port), "-u", "postgres", "--db", db}, args...)
			if out, err := exec.Command(b.sqlTool, argv...).CombinedOutput(); err != nil {
				t.Fatalf("temporal-sql-tool %s: %v\n%s", strings.Join(argv, " "), err, out)
			}
		}
	}
}

// node is one Temporal server process of the cluster.
type node struct {
	name    string
	address string // frontend, 127.0.0.1:PORT
	history string // the history service's gRPC address
	cmd     *exec.Cmd
	log     string
	exited  chan struct{}
}

// nodeConfig is a node's configuration: the four services on its ports
// (gRPC and membership), both stores in pg, ringpop on 127.0.0.1.
func nodeConfig(dir string, pg *postgres, ports []int) string {
	store := func(db string, conns int) string {
		return fmt.Sprintf(`      sql:
        pluginName: postgres12
        databaseName: %s
        connectAddr: "127.0.0.1:%d"
        connectProtocol: tcp
        user: postgres
        password: ""
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: 1h
`, db, pg.port, conns, conns)
	}
	var services strings.Builder
	for i, s := range []string{"frontend", "history", "matching", "worker"} {
		fmt.Fprintf(&services, "  %s:\n    rpc:\n      grpcPort: %d\n      membershipPort: %d\n      bindOnIP: 127.0.0.1\n", s, ports[2*i], ports[2*i+1])
	}
	return fmt.Sprintf(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: %d
  datastores:
    default:
%s    visibility:
%sglobal:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
%sclusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:%d"
dcRedirectionPolicy:
  policy: noop
archival:
  history: {state: disabled}
  visibility: {state: disabled}
namespaceDefaults:
  archival:
    history: {state: disabled}
    visibility: {state: disabled}
publicClient:
  hostPort: "127.0.0.1:%d"
dynamicConfigClient:
  filepath: %s
  pollInterval: 10s
`, clusterShards, store("temporal", 20), store("temporal_visibility", 10), services.String(), ports[0], ports[0], filepath.Join(dir, "dynamic.yaml"))
}

// nodeDynamicConfig is the dynamic config the project ships for a
// cluster (deploy/temporal/dynamicconfig.yaml): the embedded server's
// latency limits, so that timings compare the stores and the network, not
// a poll rate, and the test runs what a deployment runs.
const nodeDynamicConfig = "../../deploy/temporal/dynamicconfig.yaml"

// startNode starts a node and waits until its frontend answers; it is
// stopped (SIGTERM, then SIGKILL) when the test ends.
func startNode(t testing.TB, b temporalBuild, pg *postgres, name string) *node {
	t.Helper()
	dir := t.TempDir()
	ports := clusterPorts(t, 8)
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(nodeConfig(dir, pg, ports)), 0o644); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(nodeDynamicConfig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dynamic.yaml"), shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	n := &node{name: name, address: fmt.Sprintf("127.0.0.1:%d", ports[0]), history: fmt.Sprintf("127.0.0.1:%d", ports[2]), log: filepath.Join(dir, "log"), exited: make(chan struct{})}
	f, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n.cmd = exec.Command(b.server, "--config-file", cfg, "--allow-no-auth", "start")
	n.cmd.Dir, n.cmd.Stdout, n.cmd.Stderr = dir, f, f
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = n.cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() {
		n.stop()
		if t.Failed() {
			out, _ := os.ReadFile(n.log)
			t.Logf("%s log (last 4000 bytes):\n%s", name, tail(string(out), 4000))
		}
	})
	began := time.Now()
	for !n.answers() {
		select {
		case <-n.exited:
			out, _ := os.ReadFile(n.log)
			t.Fatalf("%s exited before it answered:\n%s", name, tail(string(out), 4000))
		case <-time.After(200 * time.Millisecond):
		}
		if time.Since(began) > 90*time.Second {
			t.Fatalf("%s does not answer at %s after 90s", name, n.address)
		}
	}
	t.Logf("%s answers at %s after %v", name, n.address, time.Since(began).Round(10*time.Millisecond))
	return n
}

// answers reports whether the frontend answers a health check.
func (n *node) answers() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: n.address, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return false
	}
	defer c.Close()
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err == nil
}

// kill ends the node with SIGKILL, as a crash would.
func (n *node) kill() {
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
}

// stop sends SIGTERM, then SIGKILL after 20 seconds.
func (n *node) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		n.kill()
	}
}

// clusterPorts is n distinct ports free on 127.0.0.1 a moment ago, all
// below 32768: the membership table keeps a port as a smallint, so the
// kernel's ephemeral ports (from 32768) would not fit.
func clusterPorts(t testing.TB, n int) []int {
	var ports []int
	for try := 0; len(ports) < n; try++ {
		if try > 10000 {
			t.Fatalf("no %d free ports below 32768", n)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(22000)))
		if err != nil {
			continue
		}
		defer l.Close() // held until all are picked, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
