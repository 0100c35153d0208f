package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

const servePlaybook = `apiVersion: runbook/v1
kind: Playbook
name: e2e-hooked
version: 1.0.0
triggers:
  - alarm: "e2e-*"
    state: ALARM
    params: {Queue: alarm.metric.dimensions.QueueName}
params:
  Queue: {type: string}
start: look
nodes:
  - name: look
    log: looking at ${{ params.Queue }}
    default: done
  - name: done
    conclude: {finding: "queue ${{ params.Queue }} checked", severity: low}
`

// TestServeCommand runs `runbook serve` against `runbook server`: a
// signed generic delivery starts the triggered playbook with its params;
// the API answers only a known token; SIGHUP with a broken tokens file
// keeps the old tokens, with a good one swaps them.
func TestServeCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir(), "--no-worker") // serve's worker runs everything
	dir := workdir(t, map[string]string{"defs/hooked.yaml": servePlaybook})
	key := []byte(strings.Repeat("k", 40))
	tokens := filepath.Join(dir, "tokens.yaml")
	writeTokens := func(entries ...string) {
		var b strings.Builder
		for i := 0; i+1 < len(entries); i += 2 {
			fmt.Fprintf(&b, "- {sha256: %s, identity: %s}\n", serve.HashToken(entries[i]), entries[i+1])
		}
		if err := os.WriteFile(tokens, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeTokens("alice-token", "alice")
	if err := os.WriteFile(filepath.Join(dir, "hmac.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	bad := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--tokens", tokens, "--sns-topic", "my-topic", "--state-dir", t.TempDir())
	bad.Env = env
	msg, err := bad.CombinedOutput()
	cancel()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(msg), `--sns-topic "my-topic" is not an SNS topic ARN`) {
		t.Errorf("serve --sns-topic my-topic: %v %s; want exit 2", err, msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--listen", listen, "--address", addr, "--insecure-generated-key", "--catalog", filepath.Join(dir, "defs"), "--read-timeout", "2s",
		"--tokens", tokens, "--hmac-key-file", filepath.Join(dir, "hmac.key"), "--state-dir", t.TempDir(), "--log-format", "json")
	cmd.Env = env
	logs := &syncBuffer{}
	cmd.Stderr = logs
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ready <- sc.Text()
		}
	}()
	select {
	case line := <-ready:
		if !strings.Contains(line, "serving on http://"+listen) {
			t.Fatalf("first line %q", line)
		}
	case <-time.After(time.Minute):
		t.Fatalf("runbook serve not ready:\n%s", logs.String())
	}
	base := "http://" + listen

	// A client that sends its body a byte at a time holds the connection
	// no longer than --read-timeout.
	slow, err := net.Dial("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if _, err := fmt.Fprintf(slow, "POST /v1/hooks/generic HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\n", listen); err != nil {
		t.Fatal(err)
	}
	began, closed := time.Now(), false
	for !closed && time.Since(began) < 10*time.Second {
		_, _ = slow.Write([]byte("x"))
		_ = slow.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		var b [512]byte
		_, rerr := slow.Read(b[:])
		var ne net.Error
		closed = rerr != nil && !(errors.As(rerr, &ne) && ne.Timeout())
	}
	if !closed || time.Since(began) > 6*time.Second {
		t.Errorf("a body trickling in held the connection %v (closed %v), want about the 2s read timeout", time.Since(began), closed)
	}

	// No --sns-topic: the SNS hook is off, whatever is posted to it.
	snsReq, _ := http.NewRequest("POST", base+"/v1/hooks/sns", strings.NewReader(`{"Type": "SubscriptionConfirmation",
  "TopicArn": "arn:aws:sns:us-east-1:999999999999:attacker", "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"}`))
	var p serve.Problem
	if code := do(t, snsReq, &p); code != http.StatusForbidden || !strings.Contains(p.Detail, "the SNS hook is off") {
		t.Errorf("SNS hook without --sns-topic: %d %+v, want 403, off", code, p)
	}

	alarm := []byte(`{"name": "e2e-backlog", "arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:e2e-backlog", "state": "ALARM",
  "time": "2026-11-26T10:00:00Z", "account": "123456789012", "region": "us-east-1",
  "metric": {"namespace": "AWS/SQS", "name": "ApproximateNumberOfMessagesVisible", "dimensions": {"QueueName": "orders"}}}`)
	ts, sig := serve.SignGeneric(key, time.Now(), alarm)
	req, _ := http.NewRequest("POST", base+"/v1/hooks/generic", bytes.NewReader(alarm))
	req.Header.Set(serve.GenericTimestampHeader, ts)
	req.Header.Set(serve.GenericSignatureHeader, sig)
	var hook struct{ Executions []serve.Started }
	if code := do(t, req, &hook); code != http.StatusAccepted || len(hook.Executions) != 1 || hook.Executions[0].Status != "started" {
		t.Fatalf("hook: %d %+v", code, hook)
	}
	id := hook.Executions[0].ID
	if want := "e2e-hooked/arn:aws:cloudwatch:us-east-1:123456789012:alarm:e2e-backlog/2026-11-26T10:00:00Z"; id != want {
		t.Errorf("execution ID %q, want %q", id, want)
	}

	show := func(token string) (int, serve.Execution) {
		req, _ := http.NewRequest("GET", base+"/v1/executions/"+strings.ReplaceAll(id, "/", "%2F"), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		var e serve.Execution
		return do(t, req, &e), e
	}
	deadline := time.Now().Add(time.Minute)
	for {
		code, e := show("alice-token")
		if code == http.StatusOK && e.Outcome != nil && e.Outcome.Finding != nil {
			if e.Outcome.Finding.Finding != "queue orders checked" || e.Trigger != "alarm" {
				t.Errorf("execution %+v, finding %+v", e, e.Outcome.Finding)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finding: %d %+v", code, e)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _ := show("mallory-token"); code != http.StatusUnauthorized {
		t.Errorf("unknown token: %d", code)
	}

	if err := os.WriteFile(tokens, []byte("- {token: plaintext}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, logs, "reload refused")
	if code, _ := show("alice-token"); code != http.StatusOK {
		t.Errorf("after a refused reload alice's token must still work: %d", code)
	}
	writeTokens("bob-token", "bob")
	_ = cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, logs, `"msg":"reloaded"`)
	if code, _ := show("bob-token"); code != http.StatusOK {
		t.Errorf("bob after the reload: %d", code)
	}
	if code, _ := show("alice-token"); code != http.StatusUnauthorized {
		t.Errorf("alice after the reload: %d", code)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`runbook_hook_deliveries_total\{hook="generic",outcome="started"\} 1`,
		`runbook_executions_finished_total\{[^}]*definition="e2e-hooked"[^}]*status="succeeded"[^}]*\} 1`,
		`runbook_step_duration_seconds_count\{[^}]*kind="log"[^}]*\} 1`} {
		if !regexp.MustCompile(want).Match(body) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
}

// do sends req and decodes a JSON answer into v; it returns the status.
func do(t *testing.T, req *http.Request, v any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(v)
	return resp.StatusCode
}

// waitLog waits until the logs hold s.
func waitLog(t *testing.T, logs *syncBuffer, s string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(logs.String(), s) {
			return
		}
	}
	t.Fatalf("the logs never said %q", s)
}

// syncBuffer is a buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
