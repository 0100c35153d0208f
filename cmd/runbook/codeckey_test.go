package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
)

// e2eSealed has a secret param; e2ePlain has none.
const (
	e2eSealed = `apiVersion: runbook/v1
kind: Runbook
name: sealed
version: 1.0.0
params:
  Token: {type: string, secret: true}
steps: [{name: say, log: "token of ${{ len(params.Token) }} characters"}]
`
	e2ePlain = `apiVersion: runbook/v1
kind: Runbook
name: plain
version: 1.0.0
steps: [{name: say, log: hello}]
`
)

// TestSharedServerKey: against a server the process did not embed, a
// worker or serve without a codec key refuses to start and says how to
// make one; start refuses to seal a secret with this host's generated
// key (a plain execution starts); a codec server (--codec-endpoint)
// seals and opens for a CLI that holds no key, and the server's worker,
// which holds it, runs the execution.
func TestSharedServerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	dir := workdir(t, map[string]string{"sealed.yaml": e2eSealed, "plain.yaml": e2ePlain})
	keys := filepath.Join(t.TempDir(), "codec.keys")
	writeFile(t, keys, engine.NewKey()+"\n")
	addr := e2eServerIn(t, env, t.TempDir(), "--codec-key-file", keys)

	for _, args := range [][]string{
		{"worker", "--address", addr},
		{"serve", "--address", addr, "--listen", "127.0.0.1:0"},
	} {
		r := e2eRun(t, dir, env, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "no codec key") || !strings.Contains(r.stderr, "runbook keygen") || !strings.Contains(r.stderr, "--insecure-generated-key") {
			t.Errorf("%s without a key: want exit 2 and how to make one\n%s", args[0], r)
		}
	}

	r := e2eRun(t, dir, env, "start", "sealed.yaml", "-p", "Token=hunter2", "--address", addr)
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "refused to seal a secret") {
		t.Errorf("start of a secret with the generated key: want exit 2, nothing started\n%s", r)
	}
	if r = e2eRun(t, dir, env, "start", "plain.yaml", "--address", addr); r.code != 0 {
		t.Fatalf("start of a plain execution: %s", r)
	}
	// The history names the processes, USER@HOST:PID: the CLI that
	// started the execution, the worker that ran it.
	id := strings.TrimSpace(r.stdout)
	e2eRun(t, dir, env, "watch", id, "--address", addr)
	r = e2eRun(t, dir, env, "history", id, "-o", "temporal", "--address", addr)
	host, _ := os.Hostname()
	who := map[string]bool{}
	for _, m := range regexp.MustCompile(`"identity":\s*"([^"]*)"`).FindAllStringSubmatch(r.stdout, -1) {
		who[m[1]] = true
	}
	for w := range who {
		if !regexp.MustCompile(`^[^@]+@` + regexp.QuoteMeta(host) + `:\d+$`).MatchString(w) {
			t.Errorf("identity %q is not USER@%s:PID", w, host)
		}
	}
	if len(who) < 2 {
		t.Errorf("identities %v: want the CLI's and the worker's", who)
	}

	raw, err := os.ReadFile(keys)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := engine.ParseKeys(string(raw), keys)
	if err != nil {
		t.Fatal(err)
	}
	var encodes, decodes atomic.Int32
	codec := converter.NewPayloadCodecHTTPHandler(&engine.Codec{Keys: ring, All: true})
	cs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "Bearer codec-token" || req.Header.Get("X-Namespace") != "default" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if strings.HasSuffix(req.URL.Path, "/encode") {
			encodes.Add(1)
		} else {
			decodes.Add(1)
		}
		codec.ServeHTTP(w, req)
	}))
	defer cs.Close()
	r = e2eRun(t, dir, env, "run", "sealed.yaml", "-p", "Token=hunter2", "--address", addr, "--codec-endpoint", cs.URL+"/codec", "--codec-auth", "Bearer codec-token")
	if r.code != 0 || !strings.Contains(r.stderr, "token of 7 characters") || encodes.Load() == 0 || decodes.Load() == 0 {
		t.Errorf("run through the codec server: %s\n(%d encodes, %d decodes)", r, encodes.Load(), decodes.Load())
	}
	r = e2eRun(t, dir, env, "run", "sealed.yaml", "-p", "Token=hunter2", "--address", addr, "--codec-endpoint", cs.URL+"/codec", "--codec-key-file", keys)
	if r.code != 2 || !strings.Contains(r.stderr, "exclude each other") {
		t.Errorf("--codec-endpoint with --codec-key-file: %s", r)
	}
}
