package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

// apiGated waits for one approval of group ops, then naps.
const apiGated = `apiVersion: runbook/v1
kind: Runbook
name: api-gated
version: 1.0.0
params:
  Nap: {type: duration, default: 10ms}
steps:
  - name: gate
    approve:
      approvers: [group:ops]
      message: Go ahead?
      timeout: 10m
  - name: nap
    sleep: ${{ params.Nap }}
`

// apiHello says hello.
const apiHello = `apiVersion: runbook/v1
kind: Runbook
name: api-hello
version: 1.0.0
steps:
  - name: say
    log: hello through the server
`

// TestAPIClientMode drives `runbook serve` through the CLI in API mode
// (RUNBOOK_SERVER, RUNBOOK_TOKEN): the caller is the token's identity.
// Alice, who started the execution, may not approve it: not as herself
// (the server refuses, exit 1) and not with --as bob (the CLI refuses,
// exit 2, and nothing is decided); bob, with his own token, may. In
// direct mode --as is still taken on trust, and says so.
func TestAPIClientMode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir(), "--no-worker") // serve's worker runs everything
	dir := workdir(t, map[string]string{"defs/gated.yaml": apiGated, "defs/hello.yaml": apiHello})
	tokens := filepath.Join(dir, "tokens.yaml")
	entries := "- {sha256: " + serve.HashToken("alice-token") + ", identity: alice, groups: [ops]}\n" +
		"- {sha256: " + serve.HashToken("bob-token") + ", identity: bob, groups: [ops]}\n" +
		"- {sha256: " + serve.HashToken("carol-token") + ", identity: carol}\n"
	if err := os.WriteFile(tokens, []byte(entries), 0o600); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, env, "--listen", "127.0.0.1:0", "--address", addr, "--tokens", tokens, "--catalog", filepath.Join(dir, "defs"))
	as := func(token string, args ...string) result {
		t.Helper()
		r := e2eRun(t, dir, append(env[:len(env):len(env)], "RUNBOOK_SERVER="+base, "RUNBOOK_TOKEN="+token), args...)
		if strings.Contains(r.stdout+r.stderr, token) {
			t.Errorf("runbook %v printed a token:\n%s", args, r)
		}
		return r
	}
	direct := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr)...)
	}
	// until runs the command until its output holds want.
	until := func(token, want string, args ...string) result {
		t.Helper()
		var r result
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if r = as(token, args...); strings.Contains(r.stdout, want) {
				return r
			}
		}
		t.Fatalf("runbook %v never printed %q:\n%s", args, want, r)
		return r
	}

	r := as("alice-token", "start", "api-gated")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" || strings.Contains(r.stderr, "taken on trust") {
		t.Fatalf("start as alice: %s", r)
	}
	until("alice-token", "|| gate waits for approval", "status", id)
	r = until("bob-token", id, "approvals", "-o", "json")
	var rows []struct{ ID, Step, Runbook string }
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0].Step != "gate" || rows[0].Runbook != "api-gated@1.0.0" {
		t.Errorf("approvals as bob: %v\n%s", err, r)
	}
	if r = as("alice-token", "approvals"); r.code != 0 || strings.Contains(r.stdout, id) {
		t.Errorf("approvals as alice, the requester, lists it:\n%s", r)
	}

	// The attack: alice approves her own execution.
	if r = as("alice-token", "approve", id); r.code != 1 || !strings.Contains(r.stderr, "refused: alice started this execution") {
		t.Errorf("approve as alice: want exit 1 and the server's reason\n%s", r)
	}
	if r = as("alice-token", "approve", id, "--as", "bob"); r.code != 2 || !strings.Contains(r.stderr, "the server knows who you are") {
		t.Errorf("approve --as bob with alice's token: want exit 2\n%s", r)
	}
	if r = as("alice-token", "status", id); !strings.Contains(r.stdout, "0 of 1 approvals") || strings.Contains(r.stdout, "approved at") {
		t.Errorf("something was decided:\n%s", r)
	}
	if r = as("bob-token", "approve", id, "--comment", "go"); r.code != 0 || !strings.Contains(r.stdout, id+": bob approved step gate (1 of 1 approvals)") {
		t.Fatalf("approve as bob: %s", r)
	}
	until("alice-token", "succeeded", "status", id)
	// run starts and follows through the server.
	if r := as("carol-token", "run", "api-hello"); r.code != 0 || !strings.Contains(r.stderr, "api-hello@1.0.0 started: ") ||
		!strings.Contains(r.stderr, "ok say") || !strings.HasPrefix(r.stdout, "succeeded") {
		t.Errorf("run through the API: %s", r)
	}
	// watch follows it through the server to its end, as direct mode does.
	if r, d := as("carol-token", "watch", id), direct("watch", id); r.code != 0 || r.stdout != d.stdout || !strings.Contains(r.stdout, "succeeded") {
		t.Errorf("watch through the API:\n%s\ndirect:\n%s", r, d)
	}
	// The timeline, told by the server, as direct mode prints it.
	if r, d := as("carol-token", "history", id), direct("history", id); r.code != 0 || r.stdout != d.stdout || !strings.Contains(r.stdout, "approved by bob") {
		t.Errorf("history through the API:\n%s\ndirect:\n%s", r, d)
	}
	r = until("alice-token", id, "list", "--name", "api-gated", "--status", "completed", "-o", "json")
	var listed []listRow
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1 || listed[0].Name != "api-gated@1.0.0" || listed[0].Seconds <= 0 {
		t.Errorf("list: %v\n%s", err, r)
	}

	// Direct mode still trusts --as and --group, and says so: alice, who
	// started it, approves as bob of ops.
	r = as("alice-token", "start", "api-gated", "-p", "Nap=1h")
	id2 := strings.TrimSpace(r.stdout)
	if r.code != 0 {
		t.Fatalf("start -p Nap=1h: %s", r)
	}
	until("alice-token", "|| gate waits for approval", "status", id2)
	if r = direct("approve", id2, "--as", "bob", "--group", "ops"); r.code != 0 || !strings.Contains(r.stderr, "taken on trust") {
		t.Errorf("direct mode approve --as bob: %s", r)
	}
	until("alice-token", "> nap", "status", id2)
	if r = as("carol-token", "cancel", id2); r.code != 1 || !strings.Contains(r.stderr, "refused: carol may not cancel") {
		t.Errorf("cancel as carol: want exit 1\n%s", r)
	}
	if r = as("alice-token", "cancel", id2); r.code != 0 || !strings.Contains(r.stderr, "cancel requested for "+id2) {
		t.Errorf("cancel as alice: %s", r)
	}
	until("alice-token", "canceled", "status", id2)
	// bob retries it: approvals are asked again, and neither alice (who
	// started it) nor bob (who retried it) may give them.
	r = as("bob-token", "retry", id2, "--from", "gate")
	id3 := strings.TrimSpace(r.stdout)
	if r.code != 0 || id3 == "" || !strings.Contains(r.stderr, "retrying "+id2+" from ") {
		t.Fatalf("retry as bob: %s", r)
	}
	until("alice-token", "|| gate waits for approval", "status", id3)
	for who, want := range map[string]string{"alice": "alice started this execution", "bob": "bob retried this execution"} {
		if r = as(who+"-token", "approve", id3); r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("approve the retry as %s: want exit 1 and %q\n%s", who, want, r)
		}
	}
	if r = as("alice-token", "cancel", id3); r.code != 0 {
		t.Errorf("cancel the retry: %s", r)
	}

	refusals := []struct {
		name, token string
		args        []string
		code        int
		want        string
	}{
		{"unknown token", "mallory-token", []string{"status", id}, 1, "the server does not know this token"},
		{"no endpoint", "alice-token", []string{"replay", "--id", id}, 2, "runbook replay --id is not available with --server"},
		{"run --dry-run", "alice-token", []string{"run", "api-hello", "--dry-run"}, 2, "runbook serve's API starts no dry run yet"},
		{"raw history", "alice-token", []string{"history", id, "-o", "temporal"}, 2, "history -o temporal exports Temporal's own history"},
		{"local file", "alice-token", []string{"start", "defs/gated.yaml"}, 2, "defs/gated.yaml is a local file"},
		{"start --as", "alice-token", []string{"start", "api-gated", "--as", "bob"}, 2, "the server knows who you are"},
		{"unknown definition", "alice-token", []string{"start", "nope"}, 1, "no definition nope"},
		{"bad param", "alice-token", []string{"start", "api-gated", "-p", "Nap=soon"}, 2, "param Nap"},
		{"plain http elsewhere", "alice-token", []string{"list", "--server", "http://192.0.2.1:8080"}, 2, "plain http to a host that is not loopback"},
		{"server down", "alice-token", []string{"list", "--server", "http://127.0.0.1:1"}, 3, "cannot reach the runbook server"},
	}
	for _, tc := range refusals {
		if r = as(tc.token, tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: runbook %v: want exit %d and %q\n%s", tc.name, tc.args, tc.code, tc.want, r)
		}
	}
}
