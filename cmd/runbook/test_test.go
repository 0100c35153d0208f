package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testDemo has a branch, so that coverage has something to report.
const testDemo = `apiVersion: runbook/v1
kind: Runbook
name: demo
version: 1.0.0
params:
  QueueUrl: {type: string}
steps:
  - name: count
    aws: sqs:GetQueueAttributes
    input: {QueueUrl: "${{ params.QueueUrl }}", AttributeNames: [ApproximateNumberOfMessages]}
    outputs:
      n: int(result.Attributes["ApproximateNumberOfMessages"] ?? "0")
    branch:
      - when: steps.count.n > 1
        goto: flood
    default: quiet
  - name: quiet
    succeed: quiet
  - name: flood
    fail: flooded with ${{ steps.count.n }}
`

// testDemoCases: one case passes, one fails for want of a canned response.
const testDemoCases = `cases:
  - name: quiet queue
    params: {QueueUrl: https://q.example.com/orders}
    calls:
      count: {result: {Attributes: {ApproximateNumberOfMessages: "0"}}}
    expect: {path: [count, quiet]}
  - name: forgot the call
    params: {QueueUrl: https://q.example.com/orders}
    expect: {status: succeeded}
`

func TestTestLibrary(t *testing.T) {
	r := runIn(t, "../..", "test", "runbooks", "playbooks", "examples")
	if r.code != 0 || strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stdout, "PASS fails over after a DBA approves") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "routes: all 3 taken") || !strings.HasPrefix(r.stderr, "ok: ") {
		t.Errorf("no coverage or summary:\n%s\n%s", r.stdout, r.stderr)
	}
	// Without paths, the current directory, recursively.
	if r := runIn(t, "../../playbooks", "test"); r.code != 0 || !strings.Contains(r.stdout, "ec2-status-check.test.yaml") {
		t.Errorf("test in playbooks/: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestTestFailing(t *testing.T) {
	dir := workdir(t, map[string]string{"demo.yaml": testDemo, "demo.test.yaml": testDemoCases})
	r := runIn(t, dir, "test")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"demo.test.yaml (demo@1.0.0)",
		"PASS quiet queue (",
		"FAIL forgot the call (",
		"    step count calls sqs:GetQueueAttributes: no canned response; add calls.count",
		"routes: 1 of 2 taken; never taken:",
		"    count → flood (steps.count.n > 1) at demo.yaml:14:15",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q in\n%s", want, r.stdout)
		}
	}
	if !strings.HasPrefix(r.stderr, "FAIL: 1 of 2 cases failed in 1 test file") {
		t.Errorf("stderr %q", r.stderr)
	}

	r = runIn(t, dir, "test", "-o", "json", "--run", "forgot")
	var out struct {
		Files []struct {
			Definition string
			Cases      []struct {
				Name     string
				Pass     bool
				Problems []string
				Failed   string
			}
			Routes  int
			Untaken []struct{ Step, To, Kind string }
		}
		Passed, Failed int
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 1 {
		t.Fatalf("-o json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if out.Passed != 0 || out.Failed != 1 || len(out.Files) != 1 || out.Files[0].Definition != "demo@1.0.0" ||
		len(out.Files[0].Cases) != 1 || out.Files[0].Cases[0].Failed != "count" || out.Files[0].Routes != 2 || len(out.Files[0].Untaken) != 2 {
		t.Errorf("-o json: %+v", out)
	}
}

func TestTestMalformed(t *testing.T) {
	dir := workdir(t, map[string]string{
		"demo.yaml":      testDemo,
		"demo.test.yaml": "cases:\n  - name: typo\n    params: {QueueUrl: https://q}\n    calls:\n      count: {result: {Attributes: {ApproximateNumberOfMessages: 3}}}\n    expcet: {}\n",
		"lost.test.yaml": "cases: []\n",
	})
	r := runIn(t, dir, "test")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"demo.test.yaml:5:66: error: result.Attributes.ApproximateNumberOfMessages wants a string, got an int",
		`demo.test.yaml:6:5: error: unknown field "expcet" in a test case; did you mean "expect"?`,
		"lost.test.yaml:1:1: error: no definition lost.yaml beside it",
		"MALFORMED: no case ran",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q in\n%s", want, r.stdout)
		}
	}
}

func TestTestInvalidDefinition(t *testing.T) {
	dir := workdir(t, map[string]string{"demo.yaml": invalid, "demo.test.yaml": "cases: [{name: any}]\n"})
	r := runIn(t, dir, "test", "demo.yaml")
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL the definition demo.yaml is invalid") || !strings.Contains(r.stdout, `demo.yaml:7:5: error: unknown field "slep"`) {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "test", "nothing-here"); r.code != 2 {
		t.Errorf("a missing path: exit %d", r.code)
	}
}

// TestTestRecord runs a runbook on a server, records a case from its
// history, and runs the case: it passes, with the outputs the execution had.
func TestTestRecord(t *testing.T) {
	env := e2eEnv(t)
	addr := e2eServer(t, env)
	dir := workdir(t, map[string]string{"ok.yaml": e2eRunbook})
	r := e2eRun(t, dir, env, "start", "ok.yaml", "-p", "Queue=e2e-record", "--address", addr)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatal(r)
	}
	if r = e2eRun(t, dir, env, "watch", id, "--address", addr); r.code != 0 {
		t.Fatal(r)
	}
	if r = e2eRun(t, dir, env, "test", "--record", id, "--out", "ok.test.yaml", "--address", addr); r.code != 0 {
		t.Fatal(r)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "ok.test.yaml"))
	for _, want := range []string{"name: recorded from " + id, "Queue: e2e-record", "visibility: 45", "path: [create, attrs, nap]"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("no %q in\n%s", want, src)
		}
	}
	if r = e2eRun(t, dir, env, "test"); r.code != 0 || !strings.Contains(r.stdout, "PASS recorded from "+id) {
		t.Errorf("the recorded case: %s\n%s", r, src)
	}
}

// BenchmarkTestLibraryProcess is `runbook test runbooks playbooks
// examples` from the repository's root: every case of the shipped library
// on the in-memory test environment, the whole process.
func BenchmarkTestLibraryProcess(b *testing.B) {
	benchProcess(b, benchProcRounds(5), "../..", "test", "runbooks", "playbooks", "examples")
}
