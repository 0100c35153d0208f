package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/timeline"
	"github.com/runbook-dev/runbook/steps"
)

// TestWriteHistory checks that the export reads back as the history it
// was, as the replay corpus's files do.
func TestWriteHistory(t *testing.T) {
	f, err := os.Open("../../engine/interp/testdata/histories/approve-foreach-run-http-script.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := engine.ReadHistory(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeHistory(&buf, h); err != nil {
		t.Fatal(err)
	}
	back, err := engine.ReadHistory(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("the export does not read back: %v\n%s", err, buf.String())
	}
	if !proto.Equal(h, back) {
		t.Error("the export read back differs from the history")
	}
	if !strings.Contains(buf.String(), `"eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"`) {
		t.Errorf("not Temporal's JSON:\n%.400s", buf.String())
	}
}

// e2eSecret passes a secret param into a call.
const e2eSecret = `apiVersion: runbook/v1
kind: Runbook
name: e2e-history
version: 1.0.0
params:
  Queue: {type: string}
  Token: {type: string, secret: true}
steps:
  - name: create
    aws: sqs:CreateQueue
    input: {QueueName: "${{ params.Queue }}", Tags: {token: "${{ params.Token }}"}}
    outputs:
      url: result.QueueUrl
  - name: nap
    sleep: 10ms
`

func TestHistory(t *testing.T) {
	env := e2eEnv(t)
	state := t.TempDir()
	addr := e2eServerIn(t, env, state)
	dir := workdir(t, map[string]string{"secret.yaml": e2eSecret})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr, "--state-dir", state, "--insecure-generated-key")...)
	}
	r := cli("start", "secret.yaml", "-p", "Queue=e2e-history", "-p", "Token=hunter2-token")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatal(r)
	}
	if r = cli("watch", id); r.code != 0 {
		t.Fatalf("watch: %s", r)
	}

	r = cli("history", id)
	for _, want := range []string{"execution " + id + " of e2e-history@1.0.0 (runbook): succeeded", "params: Queue=e2e-history Token=***",
		"ok create (aws) ", "aws sqs:CreateQueue QueueName=e2e-history Tags={\"token\":\"***\"}", "ok nap (sleep) ", "timer sleep 10ms: fired at "} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("history lacks %q: %s", want, r)
		}
	}
	if strings.Contains(r.stdout, "hunter2") {
		t.Errorf("history shows the secret: %s", r)
	}

	r = cli("history", id, "-o", "json")
	var tl timeline.Timeline
	if err := json.Unmarshal([]byte(r.stdout), &tl); err != nil || r.code != 0 {
		t.Fatalf("history -o json: %v\n%s", err, r)
	}
	if tl.ID != id || tl.Status != engine.StatusSucceeded || len(tl.Steps) != 2 || tl.Params["Token"] != "***" {
		t.Errorf("history -o json: %+v", tl)
	}

	// The export is Temporal's history: it reads back and tells the same
	// timeline once decoded; the payloads holding the secret are
	// encrypted.
	r = cli("history", id, "-o", "temporal")
	h, err := engine.ReadHistory(strings.NewReader(r.stdout))
	if err != nil || r.code != 0 {
		t.Fatalf("history -o temporal does not read back: %v\n%s", err, r)
	}
	if strings.Contains(r.stdout, "hunter2") {
		t.Error("the exported history holds the secret")
	}
	ring, err := engine.GeneratedKey(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.DecodeHistory(context.Background(), h, &engine.Codec{Keys: ring}); err != nil {
		t.Fatal(err)
	}
	back, err := timeline.Build(h, steps.All())
	if err != nil || back.ID != id || len(back.Steps) != 2 || back.Steps[0].Activities[0].Op != "sqs:CreateQueue" {
		t.Errorf("the exported history's timeline: %v %+v", err, back)
	}

	// test --record opens the sealed input with the codec, and writes
	// the secret param as *** with a note.
	r = cli("test", "--record", id)
	if r.code != 0 || !strings.Contains(r.stdout, "recorded from "+id) || !strings.Contains(r.stdout, "Token: '***'") ||
		!strings.Contains(r.stderr, "secret params (Token) are recorded as ***") || strings.Contains(r.stdout, "hunter2") {
		t.Errorf("test --record of a sealed execution: %s", r)
	}

	if r = cli("history", "no-such-execution"); r.code != 1 || !strings.Contains(r.stderr, "no execution no-such-execution") {
		t.Errorf("unknown execution: %s", r)
	}
	if r = e2eRun(t, dir, env, "history", id, "--address", "127.0.0.1:1"); r.code != 3 {
		t.Errorf("unreachable Temporal: %s", r)
	}
}
