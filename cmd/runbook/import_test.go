package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportSSM: `import ssm` writes the runbooks that validate, their
// aws:pause steps resumed by --resumers; a bad --resumers or a bad
// document is a clear error and writes nothing.
func TestImportSSM(t *testing.T) {
	const pause = "schemaVersion: '0.3'\nmainSteps:\n- name: wait\n  action: aws:pause\n  inputs: {Message: go}\n"
	tests := []struct {
		name, doc string
		args      []string
		code      int
		want      string // in the runbook written, else on stderr
	}{
		{"default resumers", pause, nil, 0, "approvers:\n        - group:ssm-resumers\n"},
		{"resumers given", pause, []string{"--resumers", "user:alice", "--resumers", "group:ops,group:sre"}, 0, "approvers:\n        - user:alice\n        - group:ops\n        - group:sre\n"},
		{"a resumer that is not a principal", pause, []string{"--resumers", "alice"}, 2, `--resumers: resumer "alice" is not user:NAME or group:NAME`},
		{"an onCancel handler", pause + "  onCancel: step:done\n- name: done\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n", nil, 0, "not the requester). On a cancel during this step SSM goes to done; here a cancel stops the run'\n"},
		{"not an Automation document", "schemaVersion: '2.2'\nmainSteps: []\n", nil, 1, `schemaVersion is "2.2", not 0.3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "doc.yaml"), []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			r := runIn(t, dir, append([]string{"import", "ssm", "doc.yaml", "--out-dir", "out"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			got, err := os.ReadFile(filepath.Join(dir, "out", "doc.yaml"))
			switch {
			case tt.code == 0 && err != nil:
				t.Fatalf("no runbook written: %v", err)
			case tt.code == 0 && !strings.Contains(string(got), tt.want):
				t.Errorf("runbook lacks %q:\n%s", tt.want, got)
			case tt.code == 0 && strings.Contains(tt.doc, "onCancel") != strings.Contains(r.stderr, "imported, leaving out step wait (aws:pause): onCancel"):
				t.Errorf("stderr %q: the onCancel note is missing or unexpected", r.stderr)
			case tt.code != 0 && err == nil:
				t.Errorf("a runbook was written:\n%s", got)
			case tt.code != 0 && !strings.Contains(r.stderr, tt.want):
				t.Errorf("stderr %q, want it to say %q", r.stderr, tt.want)
			}
		})
	}
}

// TestImportSSMKeepsFiles: import ssm never overwrites a file unless
// --force: a runbook already at the path (written by hand, edited since)
// is kept, nothing else is written, and the command says why.
func TestImportSSMKeepsFiles(t *testing.T) {
	dir := t.TempDir()
	doc := "schemaVersion: '0.3'\nmainSteps:\n- name: nap\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n"
	for _, f := range []string{"doc.yaml", "other.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mine := filepath.Join(dir, "out", "doc.yaml")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("# edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, "import", "ssm", "doc.yaml", "other.yaml", "--out-dir", "out")
	got, _ := os.ReadFile(mine)
	if _, err := os.Stat(filepath.Join(dir, "out", "other.yaml")); r.code != 1 || string(got) != "# edited by hand\n" || err == nil ||
		!strings.Contains(r.stderr, "out/doc.yaml exists: --force overwrites it") {
		t.Errorf("exit %d, %s; the file now holds %q (other.yaml written: %v)", r.code, r.stderr, got, err == nil)
	}
	r = runIn(t, dir, "import", "ssm", "doc.yaml", "-d", "out", "--force")
	if got, _ = os.ReadFile(mine); r.code != 0 || !strings.Contains(string(got), "aws:sleep") && !strings.Contains(string(got), "sleep: 1s") {
		t.Errorf("--force: exit %d %s; the file holds %q", r.code, r.stderr, got)
	}
}
