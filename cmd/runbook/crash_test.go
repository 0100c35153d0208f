package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// crashRunbook puts a new value into a secret without a ClientRequestToken
// of its own: the engine fills in one.
const crashRunbook = `apiVersion: runbook/v1
kind: Runbook
name: crash
version: 1.0.0
params:
  Secret: {type: string}
steps:
  - name: put
    aws: secretsmanager:PutSecretValue
    input: {SecretId: "${{ params.Secret }}", SecretString: rotated}
    outputs:
      version: result.VersionId
  - name: after
    log: put
outputs:
  version: steps.put.version
`

// TestCrash kills a worker with SIGKILL right after kumo has applied its
// PutSecretValue and before the worker hears the answer. The server
// retries the call on a second worker once the heartbeat times out; the
// retry carries the same idempotency token, so the secret gains one
// version, not two.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Temporal server and two workers")
	}
	env := e2eEnv(t)
	secret := fmt.Sprintf("crash-%d", time.Now().UnixNano())
	p := newCrashProxy(t, envValue(env, "AWS_ENDPOINT_URL"), secret)
	// The workers and the CLI share this host's generated key.
	env = append(env, "AWS_ENDPOINT_URL="+p.url, "RUNBOOK_INSECURE_GENERATED_KEY=true") // os/exec keeps the last value
	sm := secretsClient(p.url)
	ctx := context.Background()
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secret), SecretString: aws.String("initial")}); err != nil {
		t.Fatal(err)
	}

	srv := startChild(t, env, "server", `Temporal server on (\S+) `, "server", "--no-worker", "--headless", "--port", "0", "--state-dir", t.TempDir())
	addr := srv.ready[1]
	w1 := startChild(t, env, "worker 1", `worker on `, "worker", "--address", addr)
	p.onFirst(w1.kill)
	dir := workdir(t, map[string]string{"crash.yaml": crashRunbook})
	r := e2eRun(t, dir, env, "start", "crash.yaml", "-p", "Secret="+secret, "--address", addr)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatalf("start: %s", r)
	}
	select {
	case <-p.killed:
	case <-w1.exited:
		select {
		case <-p.killed: // the kill ends the process before it closes killed
		case <-time.After(time.Second):
			t.Fatal("worker 1 exited before the call")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no PutSecretValue within 2 minutes")
	}
	t.Log("worker 1 killed after the put; starting worker 2")
	startChild(t, env, "worker 2", `worker on `, "worker", "--address", addr)
	r = e2eRun(t, dir, env, "watch", id, "--address", addr)
	if r.code != 0 {
		t.Fatalf("watch: %s", r)
	}

	tokens := p.seen()
	if len(tokens) != 2 || tokens[0] == "" || tokens[0] != tokens[1] {
		t.Errorf("PutSecretValue tokens %q: want two requests with the same non-empty token", tokens)
	} else if want := "succeeded; outputs: version=" + tokens[0] + "\n"; r.stdout != want {
		t.Errorf("watch printed %q, want %q", r.stdout, want)
	}
	if n := versions(t, sm, secret); n != 2 {
		t.Errorf("%s has %d versions, want 2: the initial one and one put", secret, n)
	}

	// Control: without the engine's token, each put is a new version, even
	// of the same value. So the count above is due to the stable token.
	other := secret + "-control"
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(other), SecretString: aws.String("initial")}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(other), SecretString: aws.String("rotated")}); err != nil {
			t.Fatal(err)
		}
	}
	if n := versions(t, sm, other); n != 3 {
		t.Errorf("control %s has %d versions, want 3", other, n)
	}
}

// versions counts a secret's versions. kumo has no ListSecretVersionIds;
// DescribeSecret lists every version it keeps.
func versions(t *testing.T, sm *secretsmanager.Client, secret string) int {
	t.Helper()
	out, err := sm.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(secret)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s versions: %v", secret, out.VersionIdsToStages)
	return len(out.VersionIdsToStages)
}

// secretsClient is a Secrets Manager client of endpoint.
func secretsClient(endpoint string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("e2e", "e2e", ""),
	})
}

// envValue is the last value of key in env.
func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, _ := strings.Cut(kv, "="); k == key {
			v = val
		}
	}
	return v
}

// crashProxy forwards to kumo and records the ClientRequestToken of each
// PutSecretValue of its secret; after kumo has handled the first, it runs
// the onFirst function before answering.
type crashProxy struct {
	url    string
	secret string
	next   http.Handler
	killed chan struct{} // closed once onFirst has run

	mu     sync.Mutex
	first  func()
	tokens []string
}

// newCrashProxy serves until the test ends.
func newCrashProxy(t *testing.T, kumoURL, secret string) *crashProxy {
	t.Helper()
	u, err := url.Parse(kumoURL)
	if err != nil || u.Host == "" {
		t.Fatalf("kumo URL %q: %v", kumoURL, err)
	}
	p := &crashProxy{secret: secret, next: httputil.NewSingleHostReverseProxy(u), killed: make(chan struct{})}
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	p.url = s.URL
	return p
}

// onFirst sets what runs after the first put has been applied.
func (p *crashProxy) onFirst(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.first = f
}

// seen returns the tokens of the puts so far.
func (p *crashProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.tokens...)
}

func (p *crashProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "secretsmanager.PutSecretValue" {
		p.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ SecretId, ClientRequestToken string }
	if json.Unmarshal(body, &in) != nil || in.SecretId != p.secret {
		p.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)
	p.mu.Lock()
	p.tokens = append(p.tokens, in.ClientRequestToken)
	first := len(p.tokens) == 1 && rec.Code == http.StatusOK
	f := p.first
	p.mu.Unlock()
	if first && f != nil {
		f()
		close(p.killed)
		return // the caller is gone
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// child is a process of the binary, its output in a file.
type child struct {
	name   string
	cmd    *exec.Cmd
	out    string
	ready  []string      // the submatches of the ready pattern
	exited chan struct{} // closed when the process has ended
}

// startChild runs the binary with args until the test ends and waits
// until its output matches ready. It logs the output if the test fails.
func startChild(t testing.TB, env []string, name, ready string, args ...string) *child {
	t.Helper()
	c := &child{name: name, cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	c.out = filepath.Join(t.TempDir(), "out")
	f, err := os.Create(c.out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c.cmd.Env, c.cmd.Stdout, c.cmd.Stderr = env, f, f
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("%s (runbook %s) output:\n%s", name, strings.Join(args, " "), c.output())
		}
	})
	re := regexp.MustCompile(ready)
	for deadline := time.Now().Add(time.Minute); c.ready == nil; time.Sleep(50 * time.Millisecond) {
		c.ready = re.FindStringSubmatch(c.output())
		select {
		case <-c.exited:
			t.Fatalf("%s exited before it was ready", name)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after a minute", name)
		}
	}
	return c
}

func (c *child) output() string {
	b, _ := os.ReadFile(c.out)
	return string(b)
}

// kill sends SIGKILL and waits until the process has ended.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// stop sends SIGTERM, then SIGKILL after 20 seconds.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		c.kill()
	}
}
