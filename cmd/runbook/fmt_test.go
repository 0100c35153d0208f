package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine"
)

// TestFmtGolden formats testdata/fmt/messy.yaml with the binary and
// compares it with the golden messy.golden.yaml (refresh with -update).
func TestFmtGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/fmt/messy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"messy.yaml": string(src)})
	if r := runIn(t, dir, "fmt", "messy.yaml"); r.code != 0 || r.stdout != "messy.yaml\n" {
		t.Fatalf("runbook fmt: exit %d, stdout %q; want 0 and the file changed\n%s", r.code, r.stdout, r.stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "messy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/fmt/messy.golden.yaml", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/fmt/messy.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("runbook fmt gave\n%s\nwant (testdata/fmt/messy.golden.yaml)\n%s", got, want)
	}
}

// TestFmtCheck checks --check: it lists the files that would change and
// fails, and changes nothing.
func TestFmtCheck(t *testing.T) {
	messy := "kind: Runbook\napiVersion: runbook/v1\nname: demo\nversion: 1.0.0\nsteps: [{sleep: 10s, name: wait}]\n"
	dir := workdir(t, map[string]string{"defs/messy.yaml": messy, "defs/tidy.yaml": valid, "defs/tidy.test.yaml": "cases: []\n"})
	tests := []struct {
		args       []string
		code       int
		stdout     string
		messyAfter string
	}{
		{[]string{"fmt", "--check", "defs"}, 1, "defs/messy.yaml\n", messy},
		{[]string{"fmt", "--check", "defs/tidy.yaml"}, 0, "", messy},
		{[]string{"fmt", "--check", "nope"}, 2, "", messy},
		{[]string{"fmt", "defs"}, 0, "defs/messy.yaml\n", ""},
		{[]string{"fmt", "--check", "defs"}, 0, "", ""},
	}
	for _, tt := range tests {
		r := runIn(t, dir, tt.args...)
		if r.code != tt.code || r.stdout != tt.stdout {
			t.Errorf("runbook %s: exit %d, stdout %q; want %d, %q\n%s", strings.Join(tt.args, " "), r.code, r.stdout, tt.code, tt.stdout, r.stderr)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "defs/messy.yaml"))
		if tt.messyAfter != "" && string(got) != tt.messyAfter {
			t.Errorf("runbook %s changed defs/messy.yaml:\n%s", strings.Join(tt.args, " "), got)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "defs/tidy.test.yaml")); string(got) != "cases: []\n" {
		t.Errorf("runbook fmt changed a test file: %q", got)
	}
}

// TestFmtLibrary formats a copy of the whole library and the examples
// twice with the binary: the second pass changes nothing, every file
// still validates, keeps its comments and lowers to the same plan
// (positions aside).
func TestFmtLibrary(t *testing.T) {
	dir := t.TempDir()
	orig := map[string][]byte{}
	for _, lib := range []string{"runbooks", "playbooks", "examples"} {
		files, err := collect([]string{"../../" + lib})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rel := filepath.Join(lib, filepath.Base(f.Path))
			orig[rel] = f.Src
			if err := os.MkdirAll(filepath.Join(dir, lib), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, rel), f.Src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r := runIn(t, dir, "fmt", "runbooks", "playbooks", "examples"); r.code != 0 || r.stdout == "" {
		t.Fatalf("runbook fmt: exit %d, stdout %q (want some files changed)\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "fmt", "--check", "runbooks", "playbooks", "examples"); r.code != 0 || r.stdout != "" {
		t.Errorf("the second pass would change:\n%s%s", r.stdout, r.stderr)
	}
	// Validated together, without the built-in library (whose files, the
	// originals, differ from the formatted ones under the same versions).
	formatted := map[string][]byte{}
	for rel := range orig {
		after, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		formatted[rel] = after
	}
	before, after := plans(t, orig), plans(t, formatted)
	for rel, src := range orig {
		if before[rel] == "" || before[rel] != after[rel] {
			t.Errorf("%s: the formatted file lowers to another plan (or none)", rel)
		}
		for _, c := range comments(t, src) {
			if !bytes.Contains(formatted[rel], []byte(c)) {
				t.Errorf("%s: the comment %q is lost", rel, c)
			}
		}
	}
}

// plans validates files (path -> source) together, strictly, and returns
// each one's plan as JSON without source positions.
func plans(t *testing.T, files map[string][]byte) map[string]string {
	t.Helper()
	var in []engine.File
	for p, src := range files {
		in = append(in, engine.File{Path: p, Src: src})
	}
	r := engine.Validate(in, options(nil))
	if len(r.Diags) > 0 {
		t.Errorf("diagnostics: %v", r.Diags)
	}
	out := map[string]string{}
	for _, p := range r.Plans {
		j, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(j, &v); err != nil {
			t.Fatal(err)
		}
		s, _ := json.Marshal(dropPositions(v))
		out[p.Source.File] = string(s)
	}
	return out
}

// dropPositions removes the source positions of a plan's JSON: the
// members named pos, keyPos or source.
func dropPositions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "pos" || k == "keyPos" || k == "source" || strings.HasSuffix(k, "Pos") {
				delete(x, k)
				continue
			}
			x[k] = dropPositions(e)
		}
	case []any:
		for i := range x {
			x[i] = dropPositions(x[i])
		}
	}
	return v
}

// comments are the comment lines of a YAML file.
func comments(t *testing.T, src []byte) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for l := range strings.SplitSeq(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return out
}
