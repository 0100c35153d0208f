package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sivchari/kumo"
)

// End-to-end tests of the binary TestMain builds: real processes, an
// embedded Temporal server (in the child, or a `runbook server` child),
// and kumo started in this process, reached by the children through the
// SDK's standard AWS_ENDPOINT_URL. kumo keeps its resources in
// process-wide state, so every test names its queues apart.

// e2eRunbook creates a queue, reads its attributes with a typed output,
// optionally sleeps, and has outputs.
const e2eRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e
version: 1.0.0
params:
  Queue: {type: string}
  Nap: {type: duration, default: 10ms}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}", Attributes: {VisibilityTimeout: "45"}}
    outputs:
      url: result.QueueUrl
  - name: attrs
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "${{ steps.create.url }}", AttributeNames: [VisibilityTimeout]}
    outputs:
      visibility: int(result.Attributes["VisibilityTimeout"])
  - name: nap
    sleep: ${{ params.Nap }}
outputs:
  visibility: steps.attrs.visibility
  even: steps.attrs.visibility % 2 == 0
`

// e2eFailing fails at its first step with the service's error.
const e2eFailing = `apiVersion: runbook/v1
kind: Runbook
name: e2e-failing
version: 1.0.0
steps:
  - name: lookup
    aws: sqs:GetQueueUrl
    input: {QueueName: e2e-no-such-queue}
  - name: after
    log: not reached
`

// e2eLocked holds a lock while it sleeps.
const e2eLocked = `apiVersion: runbook/v1
kind: Runbook
name: e2e-locked
version: 1.0.0
lock: params.Key
params:
  Key: {type: string}
steps:
  - name: nap
    sleep: 1h
`

// e2eEnv is the children's environment: no Temporal or AWS settings of
// the caller's, AWS pointed at kumo with static credentials.
func e2eEnv(t testing.TB) []string {
	t.Helper()
	k := kumo.NewServer()
	t.Cleanup(k.Close)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") && !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "RUNBOOK_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_ENDPOINT_URL="+k.URL, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=e2e", "AWS_SECRET_ACCESS_KEY=e2e",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
}

// e2eRun runs the binary in dir with env, killed after a minute.
func e2eRun(t testing.TB, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case ctx.Err() != nil:
		t.Fatalf("runbook %s: still running after a minute\nstderr:\n%s", strings.Join(args, " "), stderr.String())
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("runbook %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout.String(), stderr.String(), code}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// e2eMetadata reads what its URL answers: an http step pointed at the
// instance metadata service.
const e2eMetadata = `apiVersion: runbook/v1
kind: Runbook
name: metadata-read
version: 1.0.0
params:
  URL: {type: string}
steps:
  - name: creds
    http:
      url: ${{ params.URL }}
`

const e2eWhoAmI = `apiVersion: runbook/v1
kind: Runbook
name: whoami
version: 1.0.0
outputs: {user: steps.who.user}
steps:
  - name: who
    script:
      command: [id, -un]
    outputs: {user: trim(result.stdout)}
`

func TestRunEmbedded(t *testing.T) {
	env := e2eEnv(t)
	dir := workdir(t, map[string]string{"ok.yaml": e2eRunbook, "failing.yaml": e2eFailing, "whoami.yaml": e2eWhoAmI,
		"metadata.yaml": e2eMetadata, "metadata-allowed.yaml": strings.NewReplacer("metadata-read", "metadata-allowed",
			"url: ", "allowPrivate: true\n      url: ").Replace(e2eMetadata)})
	state := filepath.Join(t.TempDir(), "state")

	t.Run("success", func(t *testing.T) {
		r := e2eRun(t, dir, env, "run", "ok.yaml", "-p", "Queue=e2e-run-ok", "--embedded", "--state-dir", state)
		if r.code != 0 {
			t.Fatal(r)
		}
		for _, want := range []string{"ok create ", "url=http", "ok attrs ", "visibility=45", "ok nap "} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q\n%s", want, r)
			}
		}
		if r.stdout != "succeeded; outputs: even=false visibility=45\n" {
			t.Errorf("stdout %q, want the outputs line", r.stdout)
		}
	})
	t.Run("failure", func(t *testing.T) {
		r := e2eRun(t, dir, env, "run", "failing.yaml", "--embedded", "--state-dir", state)
		if r.code != 1 || !strings.Contains(r.stdout, "failed at step lookup: ") || !strings.Contains(r.stdout, "The specified queue does not exist") ||
			!strings.Contains(r.stderr, "FAIL lookup ") || strings.Contains(r.stderr, "ok after") {
			t.Error(r)
		}
	})
	t.Run("instance metadata out of reach", func(t *testing.T) {
		var hits atomic.Int32
		meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			_, _ = w.Write([]byte(`{"SecretAccessKey": "instance-secret"}`))
		}))
		defer meta.Close()
		url := "URL=" + meta.URL + "/latest/meta-data/iam/security-credentials/worker"
		r := e2eRun(t, dir, env, "run", "metadata.yaml", "-p", url, "--embedded", "--state-dir", state)
		if r.code != 1 || !strings.Contains(r.stdout, "may not reach 127.0.0.1, a loopback address") || hits.Load() != 0 {
			t.Errorf("%s\n%d requests reached the metadata server", r, hits.Load())
		}
		r = e2eRun(t, dir, env, "run", "metadata-allowed.yaml", "-p", url, "--embedded", "--state-dir", state)
		if r.code != 0 || hits.Load() != 1 {
			t.Errorf("allowPrivate: %s", r)
		}
	})
	t.Run("scripts unprivileged", func(t *testing.T) {
		want := "nobody"
		if os.Geteuid() != 0 {
			me, err := user.Current()
			if err != nil {
				t.Fatal(err)
			}
			want = me.Username
		}
		r := e2eRun(t, dir, env, "run", "whoami.yaml", "--allow-scripts", "--embedded", "--state-dir", state)
		if r.code != 0 || r.stdout != "succeeded; outputs: user="+want+"\n" || !strings.Contains(r.stderr, "script steps allowed") {
			t.Errorf("want the script run as %s: %s", want, r)
		}
		for _, args := range [][]string{{"--allow-scripts", "--script-user", "no-such-user-runbook"}, {"--script-user", "nobody"}} {
			r = e2eRun(t, dir, env, append([]string{"run", "whoami.yaml", "--embedded", "--state-dir", state}, args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, "--script-user: ") {
				t.Errorf("%v: %s", args, r)
			}
		}
	})
	t.Run("missing param", func(t *testing.T) {
		fresh := filepath.Join(t.TempDir(), "never")
		r := e2eRun(t, dir, env, "run", "ok.yaml", "--embedded", "--state-dir", fresh)
		if r.code != 2 || !strings.Contains(r.stderr, "missing param Queue") {
			t.Error(r)
		}
		if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the state dir was created (%v): something started", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	env := e2eEnv(t)
	dir := workdir(t, map[string]string{"ok.yaml": e2eRunbook})
	t0 := time.Now()
	r := e2eRun(t, dir, env, "run", "ok.yaml", "-p", "Queue=e2e-unreachable", "--address", "127.0.0.1:1")
	if r.code != 3 || !strings.Contains(r.stderr, "127.0.0.1:1") {
		t.Error(r)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("took %v to give up", d)
	}
	if listening(defaultAddress) {
		t.Skipf("something listens on %s: cannot check start without a server", defaultAddress)
	}
	r = e2eRun(t, dir, env, "start", "ok.yaml", "-p", "Queue=e2e-unreachable")
	if r.code != 3 || !strings.Contains(r.stderr, "runbook server") || r.stdout != "" {
		t.Error(r)
	}
}

// e2eServer runs `runbook server` on a free port until the test ends
// (SIGTERM, then it must exit 0) and returns its address.
func e2eServer(t *testing.T, env []string) string {
	t.Helper()
	return e2eServerIn(t, env, t.TempDir())
}

// e2eServerIn is e2eServer with its state in dir and extra flags.
func e2eServerIn(t testing.TB, env []string, dir string, flags ...string) string {
	t.Helper()
	addr, _ := e2eServerLogs(t, env, dir, flags...)
	return addr
}

// e2eServerLogs is e2eServerIn that also returns the server's stderr.
func e2eServerLogs(t testing.TB, env []string, dir string, flags ...string) (string, *syncBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, append([]string{"server", "--port", fmt.Sprint(port), "--headless", "--state-dir", dir}, flags...)...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "worker running") || slices.Contains(flags, "--no-worker") && strings.HasPrefix(sc.Text(), "Temporal server on") {
				ready <- true
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("runbook server: %v after SIGTERM\n%s", err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("runbook server still running 20s after SIGTERM")
		}
	})
	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("runbook server exited: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("runbook server not ready after 30s\n%s", stderr.String())
	}
	return fmt.Sprintf("127.0.0.1:%d", port), stderr
}

func TestServerCommands(t *testing.T) {
	env := e2eEnv(t)
	addr := e2eServer(t, env)
	dir := workdir(t, map[string]string{"ok.yaml": e2eRunbook, "locked.yaml": e2eLocked})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr)...)
	}

	r := cli("start", "ok.yaml", "-p", "Queue=e2e-server-ok")
	id := strings.TrimSuffix(r.stdout, "\n")
	if r.code != 0 || id == "" || strings.ContainsAny(id, " \n") {
		t.Fatalf("start printed %q, want only an ID\n%s", r.stdout, r)
	}
	if r = cli("watch", id); r.code != 0 || !strings.Contains(r.stdout, "succeeded; outputs: even=false visibility=45") {
		t.Errorf("watch: %s", r)
	}
	r = cli("status", id, "-o", "json")
	var st struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Outcome struct {
			Status  string         `json:"status"`
			Outputs map[string]any `json:"outputs"`
			Steps   []struct{ Name, Status string }
		} `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 {
		t.Fatalf("status -o json: %v\n%s", err, r)
	}
	if st.ID != id || st.Status != "completed" || st.Outcome.Status != "succeeded" || st.Outcome.Outputs["visibility"] != 45.0 || len(st.Outcome.Steps) != 3 {
		t.Errorf("status %+v", st)
	}
	// Visibility is eventually consistent: the list may lag a moment.
	var listed bool
	for try := 0; try < 50 && !listed; try++ {
		r = cli("list", "-o", "json")
		var rows []struct{ ID, Name, Status string }
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != 0 {
			t.Fatalf("list -o json: %v\n%s", err, r)
		}
		for _, row := range rows {
			listed = listed || row.ID == id && row.Name == "e2e@1.0.0" && row.Status == "completed"
		}
		if !listed {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !listed {
		t.Errorf("list does not show %s completed:\n%s", id, r)
	}

	// Cancel a sleeping execution: watch then ends with exit 1, cancelled.
	r = cli("start", "ok.yaml", "-p", "Queue=e2e-server-cancel", "-p", "Nap=1h")
	sleeper := strings.TrimSpace(r.stdout)
	if r.code != 0 || sleeper == "" {
		t.Fatal(r)
	}
	if r = cli("cancel", sleeper); r.code != 0 {
		t.Fatalf("cancel: %s", r)
	}
	if r = cli("watch", sleeper); r.code != 1 || !strings.Contains(r.stdout, "cancelled") {
		t.Errorf("watch of a cancelled execution: %s", r)
	}

	// A locked runbook: the second start while the first runs is refused.
	r = cli("start", "locked.yaml", "-p", "Key=k1")
	holder := strings.TrimSpace(r.stdout)
	if r.code != 0 || holder == "" {
		t.Fatal(r)
	}
	if r = cli("start", "locked.yaml", "-p", "Key=k1"); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "refused") || !strings.Contains(r.stderr, holder) {
		t.Errorf("second start of a locked runbook: %s", r)
	}
	if r = cli("cancel", holder); r.code != 0 {
		t.Errorf("cancel: %s", r)
	}
}
