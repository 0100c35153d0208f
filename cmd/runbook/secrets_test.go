package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// secretsRunbook reads a secret from Secrets Manager (its output is not
// declared secret: the engine knows the value is one), takes a secret
// param, and puts both into a call, a log message and outputs.
const secretsRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e-secrets
version: 1.0.0
params:
  Queue: {type: string}
  Token: {type: string, secret: true}
steps:
  - name: get
    aws: secretsmanager:GetSecretValue
    input: {SecretId: e2e-db-password}
    outputs:
      password: result.SecretString
      arn: result.ARN
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}", Tags: {token: "${{ params.Token }}", pw: "${{ steps.get.password }}"}}
    outputs:
      url: result.QueueUrl
  - name: say
    log: connecting with ${{ steps.get.password }} and token ${{ params.Token }}
outputs:
  password: {value: steps.get.password, secret: true}
  queue: steps.create.url
`

// notifyRunbook announces an approval by HTTP (the notice's default body,
// and the call, carry the params) and fails's steps fail with the secret
// param in their failure: a script's stderr, an HTTP call's URL path.
const (
	notifyRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e-notify
version: 1.0.0
params:
  URL: {type: string}
  Token: {type: string, secret: true}
steps:
  - name: gate
    approve:
      approvers: [user:nobody]
      message: rotate with ${{ params.Token }}?
      timeout: 1s
      notify: {http: {url: "${{ params.URL }}", headers: {X-Token: "${{ params.Token }}"}}}
`
	failsRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e-fails
version: 1.0.0
params:
  URL: {type: string}
  Token: {type: string, secret: true}
steps:
  - name: tell
    script:
      command: [sh, -c, 'echo "bad token $0" >&2; exit 3', "${{ params.Token }}"]
    onFailure: continue
  - name: fetch
    http: {url: "${{ params.URL }}/status/404/${{ params.Token }}", allowPrivate: true}
    onFailure: continue
`
)

// failPlainRunbook fails with its marker in the failure's message (an
// HTTP error names the URL's path); it declares no secret.
const failPlainRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e-fail-plain
version: 1.0.0
params:
  URL: {type: string}
steps:
  - name: fetch
    http: {url: "${{ params.URL }}/status/404/e2e-fail-marker-6612", allowPrivate: true}
`

// plainRunbook handles no secret.
const plainRunbook = `apiVersion: runbook/v1
kind: Runbook
name: e2e-plain
version: 1.0.0
params:
  Marker: {type: string}
steps:
  - name: say
    log: ${{ params.Marker }}
`

// The secrets of the test: a param and a Secrets Manager value.
const (
	secretParam = "tok-e2e-7f3a91c2"
	secretValue = "sm-e2e-b8d04e6a"
)

// TestSecretsNeverPlain runs a runbook that handles two secrets against a
// `runbook server` and looks for them everywhere it can: the CLI's output
// (run, status, history in text and JSON, the exported history), the
// server's log and Temporal's own database files. Neither appears; the
// timeline shows *** where they were. A non-secret param is in the
// database (the search works); with a configured key it is not either
// (every payload encrypted), and a rotated keyring still reads it.
func TestSecretsNeverPlain(t *testing.T) {
	env := e2eEnv(t)
	sm := secretsClient(envValue(env, "AWS_ENDPOINT_URL"))
	if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String("e2e-db-password"), SecretString: aws.String(secretValue)}); err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"secrets.yaml": secretsRunbook, "plain.yaml": plainRunbook,
		"notify.yaml": notifyRunbook, "fails.yaml": failsRunbook, "failplain.yaml": failPlainRunbook})
	var notices atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notices.Add(1)
		http.Error(w, "nope", http.StatusNotFound)
	}))
	defer receiver.Close()

	t.Run("generated key", func(t *testing.T) {
		state := t.TempDir()
		addr, logs := e2eServerLogs(t, env, state, "--allow-scripts", "--allow-private-http")
		cli := func(args ...string) result {
			t.Helper()
			return e2eRun(t, dir, env, append(args, "--address", addr, "--state-dir", state, "--insecure-generated-key")...)
		}
		// The notice goes out (and fails); the approval times out.
		if r := cli("run", "notify.yaml", "-p", "URL="+receiver.URL, "-p", "Token="+secretParam); r.code != 1 || notices.Load() == 0 {
			t.Fatalf("run notify: %s (%d notices)", r, notices.Load())
		}
		// Both steps fail, the secret in what they fail with.
		fails := cli("run", "fails.yaml", "-p", "URL="+receiver.URL, "-p", "Token="+secretParam)
		if fails.code != 0 || !strings.Contains(fails.stderr, "bad token ***") {
			t.Fatalf("run fails: %s", fails)
		}
		failsID := executionID(t, fails)
		r := cli("run", "secrets.yaml", "-p", "Queue=e2e-secrets-plainq", "-p", "Token="+secretParam)
		if r.code != 0 || !strings.Contains(r.stderr, "password=***") {
			t.Fatalf("run: %s", r)
		}
		seen := []string{r.stdout, r.stderr, fails.stdout, fails.stderr, cli("history", failsID).stdout}
		id := executionID(t, r)
		for _, args := range [][]string{{"status", id}, {"status", id, "-o", "json"}, {"history", id}, {"history", id, "-o", "json"}} {
			r := cli(args...)
			if r.code != 0 {
				t.Fatalf("%v: %s", args, r)
			}
			seen = append(seen, r.stdout, r.stderr)
		}
		hist := cli("history", id)
		for _, want := range []string{"Token=***", `"pw":"***"`, `"token":"***"`, "connecting with *** and token ***"} {
			if !strings.Contains(hist.stdout, want) {
				t.Errorf("the timeline lacks %q:\n%s", want, hist.stdout)
			}
		}
		export := cli("history", id, "-o", "temporal")
		file := filepath.Join(t.TempDir(), "h.json")
		if err := os.WriteFile(file, []byte(export.stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := cli("replay", file); r.code != 0 {
			t.Errorf("the exported history does not replay with the key: %s", r)
		}
		if r := e2eRun(t, dir, env, "replay", file, "--state-dir", t.TempDir()); r.code != 1 || !strings.Contains(r.stdout, "which this keyring lacks") {
			t.Errorf("replay without the key: %s", r)
		}
		// An execution without secrets stays plain: its param is in the
		// database, which shows the search can find payloads.
		if r := cli("run", "plain.yaml", "-p", "Marker=e2e-plain-marker-5521"); r.code != 0 {
			t.Fatalf("run plain: %s", r)
		}
		seen = append(seen, export.stdout, logs.String())
		noSecret(t, seen, stateFiles(t, state))
		if db := stateFiles(t, state); !bytes.Contains(db, []byte("e2e-plain-marker-5521")) {
			t.Error("the database does not hold a plain param either: the search proves nothing")
		}
	})

	t.Run("configured key", func(t *testing.T) {
		state, keys := t.TempDir(), filepath.Join(t.TempDir(), "keys")
		oldKey := strings.TrimSpace(e2eRun(t, dir, env, "keygen").stdout)
		if err := os.WriteFile(keys, []byte(oldKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		addr, logs := e2eServerLogs(t, env, state, "--codec-key-file", keys)
		cli := func(args ...string) result {
			t.Helper()
			return e2eRun(t, dir, env, append(args, "--address", addr, "--codec-key-file", keys)...)
		}
		r := cli("run", "secrets.yaml", "-p", "Queue=e2e-secrets-hiddenq", "-p", "Token="+secretParam)
		if r.code != 0 {
			t.Fatalf("run: %s", r)
		}
		id := executionID(t, r)
		if r := cli("run", "plain.yaml", "-p", "Marker=e2e-plain-marker-8830"); r.code != 0 {
			t.Fatalf("run plain: %s", r)
		}
		// A failure's message is encrypted too (the history keeps "Encoded
		// failure"); the CLI, with the key, shows it.
		failed := cli("run", "failplain.yaml", "-p", "URL="+receiver.URL)
		if failed.code != 1 || !strings.Contains(failed.stdout, "e2e-fail-marker-6612") {
			t.Fatalf("run failplain: %s", failed)
		}
		if h := cli("history", executionID(t, failed)); !strings.Contains(h.stdout, "/status/404/e2e-fail-marker-6612") {
			t.Errorf("the timeline lacks the failure's message:\n%s", h)
		}
		// Rotate: a new key first, the old one kept to read what it sealed.
		if err := os.WriteFile(keys, []byte(strings.TrimSpace(e2eRun(t, dir, env, "keygen").stdout)+"\n"+oldKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		h := cli("history", id)
		if h.code != 0 || !strings.Contains(h.stdout, "QueueName=e2e-secrets-hiddenq") {
			t.Errorf("history with the rotated keyring: %s", h)
		}
		db := stateFiles(t, state)
		noSecret(t, []string{r.stdout, r.stderr, h.stdout, logs.String()}, db)
		for _, marker := range []string{"e2e-plain-marker-8830", "e2e-fail-marker-6612"} {
			if bytes.Contains(db, []byte(marker)) {
				t.Errorf("%s is in the database although every payload and failure should be encrypted", marker)
			}
		}
	})
}

// executionID is the execution ID `run` printed on stderr.
func executionID(t *testing.T, r result) string {
	t.Helper()
	for _, line := range strings.Split(r.stderr, "\n") {
		if _, rest, ok := strings.Cut(line, " started: "); ok {
			return strings.Fields(rest)[0]
		}
	}
	t.Fatalf("no execution ID in %s", r)
	return ""
}

// stateFiles is the content of every file of a state directory (the
// SQLite database and its write-ahead log).
func stateFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		all = append(all, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// noSecret fails when a secret is in a text or in the database.
func noSecret(t *testing.T, texts []string, db []byte) {
	t.Helper()
	for _, s := range []string{secretParam, secretValue} {
		for i, x := range texts {
			if strings.Contains(x, s) {
				t.Errorf("secret %s in output %d:\n%s", s, i, x)
			}
		}
		if bytes.Contains(db, []byte(s)) {
			t.Errorf("secret %s in the database files", s)
		}
	}
}
