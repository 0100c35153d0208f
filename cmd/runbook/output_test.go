package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeprecatedSpellings: the old spellings of the output flags still
// work for one version, each with a notice on stderr naming the new one.
func TestDeprecatedSpellings(t *testing.T) {
	const ssmDoc = "schemaVersion: '0.3'\nmainSteps:\n- name: nap\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n"
	tests := []struct {
		name   string
		args   []string
		code   int
		notice string // on stderr; "" for none
		stdout string // in stdout
		file   string // written
	}{
		{"validate --format", []string{"validate", "--format", "json", "invalid.yaml"}, 1, "runbook: --format is deprecated; use -o\n", `"severity": "error"`, ""},
		{"validate -f", []string{"validate", "-f", "github", "invalid.yaml"}, 1, "runbook: --format is deprecated; use -o\n", "::error file=invalid.yaml,line=7,col=5::", ""},
		{"validate -o", []string{"validate", "-o", "json", "invalid.yaml"}, 1, "", `"severity": "error"`, ""},
		{"import ssm -o DIR", []string{"import", "ssm", "doc.yaml", "-o", "old"}, 0, "runbook: import ssm -o DIR is deprecated; use --out-dir DIR\n", "1 imported and valid", "old/doc.yaml"},
		{"import ssm --out-dir", []string{"import", "ssm", "doc.yaml", "--out-dir", "new"}, 0, "", "1 imported and valid", "new/doc.yaml"},
		{"import ssm -o json", []string{"import", "ssm", "doc.yaml", "-d", "js", "-o", "json"}, 0, "", `"runbook": "js/doc.yaml"`, "js/doc.yaml"},
		{"history --json", []string{"history", "x", "--json", "--address", "127.0.0.1:1"}, 3, "runbook: --json is deprecated; use -o temporal\n", "", ""},
		{"history --json and -o", []string{"history", "x", "--json", "-o", "json"}, 2, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := workdir(t, map[string]string{"invalid.yaml": invalid, "doc.yaml": ssmDoc})
			r := e2eRun(t, dir, plainEnv(), tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r)
			}
			if got := strings.Contains(r.stderr, "is deprecated"); got != (tt.notice != "") || !strings.Contains(r.stderr, tt.notice) {
				t.Errorf("stderr %q, want the notice %q", r.stderr, tt.notice)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			if tt.file != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.file)); err != nil {
					t.Errorf("%s not written: %v", tt.file, err)
				}
			}
		})
	}
}

// TestValidateGitHubActions: under GitHub Actions (GITHUB_ACTIONS=true)
// validate writes annotations unless told a format.
func TestValidateGitHubActions(t *testing.T) {
	const annotation, text = "::error file=invalid.yaml,line=7,col=5::", "invalid.yaml:7:5: error: "
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"actions", []string{"GITHUB_ACTIONS=true"}, nil, annotation},
		{"actions, -o text", []string{"GITHUB_ACTIONS=true"}, []string{"-o", "text"}, text},
		{"actions, -o json", []string{"GITHUB_ACTIONS=true"}, []string{"-o", "json"}, "[\n  {\n    \"file\": \"invalid.yaml\""},
		{"not actions", nil, nil, text},
		{"GITHUB_ACTIONS=false", []string{"GITHUB_ACTIONS=false"}, nil, text},
	}
	dir := workdir(t, map[string]string{"invalid.yaml": invalid})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e2eRun(t, dir, plainEnv(tt.env...), append([]string{"validate", "invalid.yaml"}, tt.args...)...)
			if r.code != 1 || !strings.HasPrefix(r.stdout, tt.want) {
				t.Errorf("want stdout to start with %q\n%s", tt.want, r)
			}
		})
	}
}

// jsonLines parses each line of out as one JSON object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not a JSON object: %v\n%s", line, err, out)
		}
		rows = append(rows, m)
	}
	return rows
}

// eventsOf lists a run's or watch's events as "event step status".
func eventsOf(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, ev := range jsonLines(t, out) {
		s := ev["event"].(string)
		if step, ok := ev["step"].(map[string]any); ok {
			s += " " + step["name"].(string) + " " + step["status"].(string)
		}
		if o, ok := ev["outcome"].(map[string]any); ok {
			s += " " + o["status"].(string)
		}
		if ev["id"] == "" || ev["time"] == "" {
			t.Errorf("event without id or time: %v", ev)
		}
		got = append(got, s)
	}
	return got
}
