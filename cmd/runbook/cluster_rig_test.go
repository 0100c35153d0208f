package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/runbook-dev/runbook/engine/serve"
)

// The definitions the cluster test runs, from a catalog folder that
// runbook serve reads. Each mutating step puts a value into a secret of
// its own: its versions count the effects.
const (
	clusterGated = `apiVersion: runbook/v1
kind: Runbook
name: cluster-gated
version: 1.0.0
params:
  Secret: {type: string}
steps:
  - name: gate
    approve:
      approvers: [group:ops]
      minApprovals: 2
      message: Rotate ${{ params.Secret }}?
      timeout: 10m
  - name: put
    aws: secretsmanager:PutSecretValue
    input: {SecretId: "${{ params.Secret }}", SecretString: rotated}
`
	clusterNap = `apiVersion: runbook/v1
kind: Runbook
name: cluster-nap
version: 1.0.0
params:
  Secret: {type: string}
  Nap: {type: duration, default: 10ms}
steps:
  - name: nap
    sleep: ${{ params.Nap }}
  - name: put
    aws: secretsmanager:PutSecretValue
    input: {SecretId: "${{ params.Secret }}", SecretString: rotated}
`
	clusterHooked = `apiVersion: runbook/v1
kind: Playbook
name: cluster-hooked
version: 1.0.0
triggers:
  - alarm: "cluster-*"
    state: ALARM
    params: {Queue: alarm.metric.dimensions.QueueName}
params:
  Queue: {type: string}
start: create
nodes:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}"}
    outputs: {url: result.QueueUrl}
  - name: done
    conclude: {finding: "queue ${{ params.Queue }} at ${{ steps.create.url }}", severity: low}
`
)

// rig is the cluster test's processes of the binary and how to drive
// them: directly through a node, or through runbook serve's API.
type rig struct {
	t     *testing.T
	env   []string
	dir   string // working directory, the catalog in defs/
	key   string // the codec key file every process shares
	state string
	base  string // runbook serve's URL
	hmac  []byte
	sm    *secretsmanager.Client
}

// newRig writes the catalog, the tokens (alice, bob and carol, all of
// group ops) and the hook key.
func newRig(t *testing.T, env []string) *rig {
	t.Helper()
	entries := ""
	for _, who := range []string{"alice", "bob", "carol"} {
		entries += "- {sha256: " + serve.HashToken(who+"-token") + ", identity: " + who + ", groups: [ops]}\n"
	}
	rg := &rig{t: t, env: env, state: t.TempDir(), hmac: []byte(strings.Repeat("h", 40)),
		sm: secretsClient(envValue(env, "AWS_ENDPOINT_URL"))}
	rg.dir = workdir(t, map[string]string{"defs/gated.yaml": clusterGated, "defs/nap.yaml": clusterNap,
		"defs/hooked.yaml": clusterHooked, "tokens.yaml": entries, "e2e.yaml": e2eRunbook})
	if err := os.WriteFile(filepath.Join(rg.dir, "hmac.key"), rg.hmac, 0o600); err != nil {
		t.Fatal(err)
	}
	rg.key = codecKey(t, env)
	return rg
}

// flags are the codec and state flags of every direct command.
func (rg *rig) flags(addr string) []string {
	return []string{"--address", addr, "--codec-key-file", rg.key, "--state-dir", rg.state}
}

// direct runs a command against a node.
func (rg *rig) direct(addr string, args ...string) result {
	rg.t.Helper()
	return e2eRun(rg.t, rg.dir, rg.env, append(args, rg.flags(addr)...)...)
}

// as runs a command through runbook serve's API with who's token.
func (rg *rig) as(who string, args ...string) result {
	rg.t.Helper()
	return e2eRun(rg.t, rg.dir, append(rg.env[:len(rg.env):len(rg.env)], "RUNBOOK_SERVER="+rg.base, "RUNBOOK_TOKEN="+who+"-token"), args...)
}

// until runs f until its stdout holds want, for at most d.
func (rg *rig) until(d time.Duration, want string, f func() result) result {
	rg.t.Helper()
	var r result
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if r = f(); strings.Contains(r.stdout, want) {
			return r
		}
	}
	rg.t.Fatalf("never printed %q within %v; last:\n%s", want, d, r)
	return r
}

// worker starts a worker against addr.
func (rg *rig) worker(name, addr string) *child {
	rg.t.Helper()
	return startChild(rg.t, rg.env, name, `worker on `, append([]string{"worker"}, rg.flags(addr)...)...)
}

// serve starts runbook serve against addr, with its catalog, tokens and
// hook key.
func (rg *rig) serve(addr string) {
	rg.t.Helper()
	rg.base = startServe(rg.t, rg.env, "--listen", "127.0.0.1:0", "--address", addr, "--codec-key-file", rg.key,
		"--catalog", filepath.Join(rg.dir, "defs"), "--tokens", filepath.Join(rg.dir, "tokens.yaml"),
		"--hmac-key-file", filepath.Join(rg.dir, "hmac.key"))
}

// secret creates a secret in kumo with its initial version.
func (rg *rig) secret(name string) string {
	rg.t.Helper()
	if _, err := rg.sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("initial")}); err != nil {
		rg.t.Fatal(err)
	}
	return name
}

// puts is the number of values put into a secret after its initial one.
func (rg *rig) puts(name string) int {
	rg.t.Helper()
	return versions(rg.t, rg.sm, name) - 1
}

// hook delivers a signed generic alarm; it returns the HTTP status and
// the executions it started.
func (rg *rig) hook(alarm string) (int, []serve.Started) {
	rg.t.Helper()
	body := []byte(alarm)
	ts, sig := serve.SignGeneric(rg.hmac, time.Now(), body)
	req, _ := http.NewRequest("POST", rg.base+"/v1/hooks/generic", bytes.NewReader(body))
	req.Header.Set(serve.GenericTimestampHeader, ts)
	req.Header.Set(serve.GenericSignatureHeader, sig)
	var out struct{ Executions []serve.Started }
	code := do(rg.t, req, &out)
	return code, out.Executions
}
