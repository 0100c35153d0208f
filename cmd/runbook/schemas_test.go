package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine/serve"
)

// schemaFiles are the files of each kind a user writes, the examples and
// test data of the repository, by the committed schema they follow.
// Routing files are definitions (kind: Routing): runbook.schema.json.
var schemaFiles = map[string][]string{
	"runbook.schema.json": {"runbooks/*.yaml", "playbooks/*.yaml", "examples/*.yaml",
		"engine/testdata/valid/*.yaml", "engine/testdata/catalog/*.yaml", "engine/casetest/testdata/tests/*.yaml",
		"deploy/compose/catalog/*.yaml"},
	"runbook-test.schema.json":   {"runbooks/*.test.yaml", "playbooks/*.test.yaml", "examples/*.test.yaml", "engine/casetest/testdata/tests/*.test.yaml"},
	"runbook-tokens.schema.json": {"engine/serve/testdata/tokens.yaml"},
}

// compileSchema compiles the committed schema file, under its $id.
func compileSchema(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("../..", file))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	id, _ := doc.(map[string]any)["$id"].(string)
	if !strings.HasSuffix(id, "/main/"+file) {
		t.Errorf("%s: $id %q does not name the file in the repository", file, id)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}

// yamlInstance reads a YAML document as the JSON value a schema checks.
func yamlInstance(src []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return nil, err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(j))
}

// TestSchemasAcceptExamples validates every example and test-data file
// of each kind against its committed schema: definitions (routing files
// among them), test files, the tokens file.
func TestSchemasAcceptExamples(t *testing.T) {
	for file, globs := range schemaFiles {
		s := compileSchema(t, file)
		n := 0
		for _, g := range globs {
			paths, _ := filepath.Glob(filepath.Join("../..", g))
			for _, p := range paths {
				if strings.HasSuffix(p, ".test.yaml") != (file == "runbook-test.schema.json") {
					continue
				}
				n++
				src, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				v, err := yamlInstance(src)
				if err != nil {
					t.Errorf("%s: %v", p, err)
					continue
				}
				if err := s.Validate(v); err != nil {
					t.Errorf("%s does not follow %s:\n%v", p, file, err)
				}
				if file == "runbook-tokens.schema.json" {
					if _, err := serve.ParseTokens(src, p); err != nil {
						t.Errorf("%s: serve reads it as: %v", p, err)
					}
				}
			}
		}
		if n < 2 && file != "runbook-tokens.schema.json" || n == 0 {
			t.Errorf("%s: only %d files to check", file, n)
		}
	}
}

// TestSchemasReject checks that each schema refuses what its loader
// refuses for its shape: a misspelt key, a missing required field.
func TestSchemasReject(t *testing.T) {
	tests := []struct {
		schema, name, src string
	}{
		{"runbook.schema.json", "unknown step key", invalid},
		{"runbook.schema.json", "routing without routes", "apiVersion: runbook/v1\nkind: Routing\nname: r\n"},
		{"runbook.schema.json", "route without run", "apiVersion: runbook/v1\nkind: Routing\nname: r\nroutes: [{alarm: x}]\n"},
		{"runbook-test.schema.json", "no cases", "definition: x.yaml\n"},
		{"runbook-test.schema.json", "case without name", "cases: [{params: {}}]\n"},
		{"runbook-test.schema.json", "misspelt expect key", "cases: [{name: a, expect: {stauts: failed}}]\n"},
		{"runbook-test.schema.json", "bad status", "cases: [{name: a, expect: {status: ok}}]\n"},
		{"runbook-test.schema.json", "canned response with unknown key", "cases: [{name: a, calls: {s: {reslt: {}}}}]\n"},
		{"runbook-test.schema.json", "approval without by", "cases: [{name: a, approvals: [{step: s}]}]\n"},
		{"runbook-tokens.schema.json", "a token in place of its hash", "- {token: abc, identity: alice}\n"},
		{"runbook-tokens.schema.json", "short hash", "- {sha256: abc, identity: alice}\n"},
		{"runbook-tokens.schema.json", "no identity", "- {sha256: " + strings.Repeat("a", 64) + "}\n"},
		{"runbook-tokens.schema.json", "a mapping", "alice: x\n"},
	}
	compiled := map[string]*jsonschema.Schema{}
	for _, tt := range tests {
		t.Run(tt.schema+"/"+tt.name, func(t *testing.T) {
			s := compiled[tt.schema]
			if s == nil {
				s = compileSchema(t, tt.schema)
				compiled[tt.schema] = s
			}
			v, err := yamlInstance([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if s.Validate(v) == nil {
				t.Errorf("%s accepts:\n%s", tt.schema, tt.src)
			}
		})
	}
}

// TestSchemaLines checks that the example and library files name their
// schema on their first line for editors (yaml-language-server), and that
// the path resolves to the committed schema of their kind.
func TestSchemaLines(t *testing.T) {
	const prefix = "# yaml-language-server: $schema="
	globs := map[string][]string{
		"runbook-test.schema.json":   {"runbooks/*.test.yaml", "playbooks/*.test.yaml", "examples/*.test.yaml"},
		"runbook-tokens.schema.json": {"engine/serve/testdata/tokens.yaml"},
		"runbook.schema.json":        {"runbooks/*.yaml", "playbooks/*.yaml"},
	}
	for want, gs := range globs {
		for _, g := range gs {
			paths, _ := filepath.Glob(filepath.Join("../..", g))
			for _, p := range slices.Sorted(slices.Values(paths)) {
				if want == "runbook.schema.json" && strings.HasSuffix(p, ".test.yaml") {
					continue
				}
				src, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				first, _, _ := strings.Cut(string(src), "\n")
				ref, ok := strings.CutPrefix(first, prefix)
				switch {
				case !ok:
					t.Errorf("%s: first line %q; want %s naming %s", p, first, prefix, want)
				case filepath.Base(ref) != want:
					t.Errorf("%s: schema %s; want %s", p, ref, want)
				default:
					if _, err := os.Stat(filepath.Join(filepath.Dir(p), ref)); err != nil {
						t.Errorf("%s: schema %s does not resolve: %v", p, ref, err)
					}
				}
			}
		}
	}
}
