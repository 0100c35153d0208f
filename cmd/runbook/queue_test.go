package main

import (
	"context"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
)

const queuedRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e-queued
version: 1.0.0
taskQueue: pool-b
steps:
  - name: hello
    log: hello from pool-b
`

// TestTaskQueue: a definition naming its task queue runs only on the
// workers polling it; `start` warns while none does, and the execution
// waits for one instead of running on the default pool.
func TestTaskQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	state := t.TempDir()
	addr := e2eServerIn(t, env, state) // its worker polls the default queue
	dir := workdir(t, map[string]string{"queued.yaml": queuedRunbook})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr, "--state-dir", state)...)
	}
	r := cli("start", "queued.yaml")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.Contains(r.stderr, `no worker polls task queue "pool-b"`) {
		t.Fatalf("start with no pool-b worker: %d %q\n%s", r.code, id, r.stderr)
	}
	if s := cli("status", id); !strings.Contains(s.stdout, "running") || strings.Contains(s.stdout, "succeeded") {
		t.Fatalf("before a pool-b worker, the execution is:\n%s%s", s.stdout, s.stderr)
	}
	startChild(t, env, "pool-b worker", `worker on `, "worker", "--address", addr, "--insecure-generated-key", "--task-queue", "pool-b", "--state-dir", state)
	if w := cli("watch", id); w.code != 0 || !strings.Contains(w.stdout+w.stderr, "succeeded") {
		t.Fatalf("watch after the pool-b worker started: %d\n%s%s", w.code, w.stdout, w.stderr)
	}
	cl, err := client.Dial(client.Options{HostPort: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	d, err := cl.DescribeWorkflowExecution(context.Background(), id, "")
	if q := d.GetExecutionConfig().GetTaskQueue().GetName(); err != nil || q != "pool-b" {
		t.Errorf("%s ran on task queue %q (%v), want pool-b", id, q, err)
	}
	if again := cli("start", "queued.yaml"); again.code != 0 || strings.Contains(again.stderr, "no worker polls") {
		t.Errorf("start with a pool-b worker: %d\n%s", again.code, again.stderr)
	}
}
