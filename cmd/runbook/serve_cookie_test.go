package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

// TestServeSecureCookies: the page's session cookie is Secure, so a
// browser sends it only over HTTPS (a TLS-terminating proxy in front of
// `runbook serve`), whenever the server listens beyond the loopback
// interface, and with --secure-cookies; on loopback without TLS it is not
// (a browser on the same machine, plain HTTP), nor with
// --secure-cookies=false.
func TestServeSecureCookies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir(), "--no-worker")
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte("- {sha256: "+serve.HashToken("alice-token")+", identity: alice}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host   string
		flags  []string
		secure bool
	}{
		{"0.0.0.0", nil, true},
		{"127.0.0.1", nil, false},
		{"127.0.0.1", []string{"--secure-cookies"}, true},
		{"0.0.0.0", []string{"--secure-cookies=false"}, false},
	} {
		t.Run(strings.Join(append([]string{tc.host}, tc.flags...), " "), func(t *testing.T) {
			base := startServe(t, env, append([]string{"--listen", tc.host + ":0", "--address", addr, "--tokens", tokens}, tc.flags...)...)
			form := url.Values{"token": {"alice-token"}}.Encode()
			req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", base)
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var got []*http.Cookie
			for _, c := range resp.Cookies() {
				if c.Value != "" {
					got = append(got, c)
				}
			}
			if resp.StatusCode != http.StatusSeeOther || len(got) != 1 || got[0].Secure != tc.secure || strings.HasPrefix(got[0].Name, "__Host-") != tc.secure {
				t.Fatalf("sign in: %d, Set-Cookie %q; want one cookie, Secure and __Host- prefixed: %v", resp.StatusCode, resp.Header.Values("Set-Cookie"), tc.secure)
			}
		})
	}
}

// startServe runs `runbook serve` with args (--listen HOST:0 among them)
// until the test ends, and returns its base URL over the loopback
// interface.
func startServe(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--state-dir", t.TempDir(), "--insecure-generated-key"}, args...)...)
	cmd.Env = env
	logs := &syncBuffer{}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
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
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if !sc.Scan() {
			close(first) // it exited
			return
		}
		first <- sc.Text()
		for sc.Scan() {
		}
	}()
	select {
	case line, ok := <-first:
		if !ok {
			t.Fatalf("runbook serve exited:\n%s", logs.String())
		}
		// serving on http://HOST:PORT (...)
		_, hostPort, _ := strings.Cut(line, "://")
		hostPort, _, _ = strings.Cut(hostPort, " ")
		_, port, err := net.SplitHostPort(hostPort)
		if err != nil {
			t.Fatalf("first line %q: %v", line, err)
		}
		return fmt.Sprintf("http://127.0.0.1:%s", port)
	case <-time.After(time.Minute):
		t.Fatalf("runbook serve not ready:\n%s", logs.String())
	}
	return ""
}
