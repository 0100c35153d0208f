package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bin is the runbook binary built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runbook-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "runbook")
	// -buildvcs=auto, whatever GOFLAGS says: in a clone the binary
	// carries its commit (runbook version).
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary gave.
type result struct {
	stdout, stderr string
	code           int
}

// runIn runs the binary in dir with args.
func runIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("runbook %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// Definitions the tests write. invalid has an unknown key at 7:5.
const (
	valid = `apiVersion: runbook/v1
kind: Runbook
name: demo
version: 1.0.0
steps: [{name: wait, sleep: 10s}]
`
	invalid = `apiVersion: runbook/v1
kind: Runbook
name: demo
version: 1.0.0
steps:
  - name: wait
    slep: 10s
`
	unusedParam = `apiVersion: runbook/v1
kind: Runbook
name: demo
version: 1.0.0
params:
  Unused: {type: string, default: ""}
steps: [{name: wait, sleep: 10s}]
`
)

// workdir writes files (name -> content) into a new temporary directory.
func workdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExitCodes(t *testing.T) {
	dir := workdir(t, map[string]string{
		"valid.yaml":                 valid,
		"bad/invalid.yaml":           invalid,
		"tree/valid.yaml":            valid,
		"tree/.hidden/invalid.yaml":  invalid,
		"tree/testdata/invalid.yaml": invalid,
		"tree/sub/invalid.test.yaml": "not a definition",
		"tree/sub/notes.txt":         "not a definition",
		"empty/README.md":            "no definitions here",
		"warn/unused-param.yaml":     unusedParam,
	})
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"valid file", []string{"validate", "valid.yaml"}, 0},
		{"tree skips hidden dirs, testdata, tests and other files", []string{"validate", "tree"}, 0},
		{"testdata given is searched", []string{"validate", "tree/testdata"}, 1},
		{"invalid file", []string{"validate", "bad/invalid.yaml"}, 1},
		{"invalid in a directory", []string{"validate", "bad"}, 1},
		{"test file given is skipped", []string{"validate", "valid.yaml", "tree/sub/invalid.test.yaml"}, 0},
		{"warning", []string{"validate", "warn"}, 0},
		{"warning with --strict", []string{"validate", "--strict", "warn"}, 1},
		{"nonexistent path", []string{"validate", "nope.yaml"}, 2},
		{"nonexistent catalog", []string{"validate", "--catalog", "nope", "valid.yaml"}, 2},
		{"no definitions", []string{"validate", "empty"}, 2},
		{"unknown flag", []string{"validate", "--bogus", "valid.yaml"}, 2},
		{"bad format name", []string{"validate", "-o", "xml", "valid.yaml"}, 2},
		{"no path", []string{"validate"}, 2},
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"help", []string{"--help"}, 0},
		{"version", []string{"version"}, 0},
		{"plan", []string{"plan", "valid.yaml"}, 0},
		{"plan of an invalid file", []string{"plan", "bad/invalid.yaml"}, 1},
		{"plan of a directory", []string{"plan", "bad"}, 2},
		{"plan of a nonexistent file", []string{"plan", "nope.yaml"}, 2},
		{"plan -o yaml", []string{"plan", "-o", "yaml", "valid.yaml"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runIn(t, dir, tt.args...)
			if r.code != tt.want {
				t.Errorf("runbook %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestValidText(t *testing.T) {
	dir := workdir(t, map[string]string{"a.yaml": valid, "sub/b.yml": strings.Replace(valid, "demo", "other", 1)})
	r := runIn(t, dir, "validate", ".")
	if r.code != 0 || r.stdout != "" || r.stderr != "2 definitions valid\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, nothing, \"2 definitions valid\"", r.code, r.stdout, r.stderr)
	}
}

func TestUsageMessage(t *testing.T) {
	r := runIn(t, t.TempDir(), "validate", "missing.yaml")
	if !strings.Contains(r.stderr, "missing.yaml: no such file or directory") {
		t.Errorf("stderr %q does not name the missing path", r.stderr)
	}
}

// TestCaret checks that the caret sits under the reported column, counted
// in characters, with tabs kept.
func TestCaret(t *testing.T) {
	tests := []struct{ name, step string }{
		{"block", "  - name: wait\n    slep: 10s\n"},
		{"flow", "  - {name: wait, slep: 10s}\n"},
		{"multibyte", "  - {name: wait, log: \"héé ✓\", slep: 10s}\n"},
		{"tab", "  - {name: wait,\tslep: 10s}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "apiVersion: runbook/v1\nkind: Runbook\nname: demo\nversion: 1.0.0\nsteps:\n" + tt.step
			r := runIn(t, workdir(t, map[string]string{"c.yaml": src}), "validate", "c.yaml")
			lines := strings.Split(r.stdout, "\n")
			for i, l := range lines {
				if !strings.Contains(l, `unknown field "slep"`) {
					continue
				}
				if i+2 >= len(lines) {
					t.Fatalf("no source and caret lines after %q", l)
				}
				source, caret := afterGutter(t, lines[i+1]), afterGutter(t, lines[i+2])
				want := []rune(source[:strings.Index(source, "slep")])
				for j, r := range want {
					if r != '\t' {
						want[j] = ' '
					}
				}
				if caret != string(want)+"^" {
					t.Errorf("caret line %q under %q; want %q", caret, source, string(want)+"^")
				}
				return
			}
			t.Fatalf("no unknown field diagnostic in:\n%s", r.stdout)
		})
	}
}

// afterGutter returns the text of a snippet line after its " N | " gutter.
func afterGutter(t *testing.T, line string) string {
	t.Helper()
	_, text, ok := strings.Cut(line, " | ")
	if !ok {
		t.Fatalf("snippet line %q has no gutter", line)
	}
	return text
}

func TestTextFormat(t *testing.T) {
	r := runIn(t, workdir(t, map[string]string{"invalid.yaml": invalid}), "validate", "invalid.yaml")
	want := []string{
		`invalid.yaml:7:5: error: unknown field "slep" in step; did you mean "sleep"?`,
		` 7 |     slep: 10s`,
		`   |     ^`,
	}
	if !strings.Contains(r.stdout, strings.Join(want, "\n")+"\n") {
		t.Errorf("stdout:\n%s\nwant it to contain:\n%s", r.stdout, strings.Join(want, "\n"))
	}
	if !strings.HasSuffix(r.stderr, " in 1 file\n") || !strings.Contains(r.stderr, "error") {
		t.Errorf("stderr %q: want a summary like \"1 error in 1 file\"", r.stderr)
	}
}
