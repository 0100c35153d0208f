package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

var update = flag.Bool("update", false, "rewrite the committed runbook.schema.json, steps/README.md and golden files")

// TestGenerated fails when the committed schema or docs are stale. Refresh
// them with `make schema docs` or `go test ./cmd/runbook -run TestGenerated -update`.
func TestGenerated(t *testing.T) {
	tests := []struct {
		path string
		cmd  string
		want []byte
	}{
		{"../../runbook.schema.json", "schema", engine.Schema(steps.All())},
		{"../../steps/README.md", "docs", []byte(engine.Docs(steps.All()))},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			if r := runIn(t, ".", tt.cmd); r.code != 0 || r.stdout != string(tt.want) {
				t.Errorf("runbook %s: exit %d, and its output differs from the engine's", tt.cmd, r.code)
			}
			if *update {
				if err := os.WriteFile(tt.path, tt.want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatalf("%v; generate it with `make %s`", err, tt.cmd)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("%s is stale: run `make %s` (or go test ./cmd/runbook -run TestGenerated -update) and commit it", tt.path, tt.cmd)
			}
		})
	}
}

func TestSchemaIsJSONSchema(t *testing.T) {
	var s struct {
		Schema string         `json:"$schema"`
		ID     string         `json:"$id"`
		Title  string         `json:"title"`
		Defs   map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(engine.Schema(steps.All()), &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" || s.ID == "" || s.Title == "" {
		t.Errorf("$schema %q, $id %q, title %q: want draft 2020-12, an id and a title", s.Schema, s.ID, s.Title)
	}
	for _, k := range steps.All() {
		if s.Defs["kind."+k.Name] == nil {
			t.Errorf("schema has no $defs entry for kind %s", k.Name)
		}
	}
}

// TestExampleSchemaLine checks that every definition in examples/ names the
// committed schema on its first line, for editors, and that the path
// resolves.
func TestExampleSchemaLine(t *testing.T) {
	const prefix = "# yaml-language-server: $schema="
	err := filepath.WalkDir("../../examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isDefinition(p) {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(src, []byte("apiVersion: runbook/")) {
			return err // not a definition (a CI workflow, a config)
		}
		first, _, _ := bufio.NewReader(bytes.NewReader(src)).ReadLine()
		ref, ok := strings.CutPrefix(string(first), prefix)
		switch {
		case !ok:
			t.Errorf("%s: first line %q; want %s../runbook.schema.json (relative to the file)", p, first, prefix)
		case strings.Contains(ref, "://"):
			if ref != engine.SchemaID {
				t.Errorf("%s: schema %s; want %s or a relative path", p, ref, engine.SchemaID)
			}
		case filepath.Base(ref) != "runbook.schema.json":
			t.Errorf("%s: schema %s; want runbook.schema.json", p, ref)
		default:
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), ref)); err != nil {
				t.Errorf("%s: schema %s does not resolve: %v", p, ref, err)
			}
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// TestLibraryValid validates the shipped library and the examples as CI
// would, with the built-in catalog.
func TestLibraryValid(t *testing.T) {
	var paths []string
	for _, dir := range []string{"runbooks", "playbooks", "examples"} {
		files, _ := collect([]string{"../../" + dir})
		if len(files) > 0 {
			paths = append(paths, "../../"+dir)
		}
	}
	r := runIn(t, ".", append([]string{"validate", "--strict"}, paths...)...)
	if r.code != 0 {
		t.Errorf("runbook validate --strict %s: exit %d\n%s%s", strings.Join(paths, " "), r.code, r.stdout, r.stderr)
	}
}

// TestCatalog checks that run: resolves against --catalog folders and the
// built-in library.
func TestCatalog(t *testing.T) {
	parent := func(ref string) string {
		return "apiVersion: runbook/v1\nkind: Runbook\nname: parent\nversion: 1.0.0\nsteps:\n" +
			"  - name: child\n    run: " + ref + "\n    params: {InstanceId: i-0123456789abcdef0}\n"
	}
	dir := workdir(t, map[string]string{
		"uses-builtin.yaml": parent("ec2-restart@^1"),
		"uses-child.yaml":   parent("child@^1"),
		"lib/child.yaml":    "apiVersion: runbook/v1\nkind: Runbook\nname: child\nversion: 1.2.0\nparams:\n  InstanceId: {type: string}\nsteps:\n  - {name: note, log: \"${{ params.InstanceId }}\"}\n",
	})
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"validate", "uses-builtin.yaml"}, 0},
		{[]string{"validate", "uses-child.yaml"}, 1},
		{[]string{"validate", "--catalog", "lib", "uses-child.yaml"}, 0},
		{[]string{"plan", "--catalog", "lib", "uses-child.yaml"}, 0},
	}
	for _, tt := range tests {
		if r := runIn(t, dir, tt.args...); r.code != tt.want {
			t.Errorf("runbook %s: exit %d, want %d\n%s%s", strings.Join(tt.args, " "), r.code, tt.want, r.stdout, r.stderr)
		}
	}
}
