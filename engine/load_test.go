package engine_test

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

const header = "apiVersion: runbook/v1\nkind: Runbook\nname: demo\nversion: 1.0.0\n"

// TestLoadErrors checks that broken files give one clear error at the
// right place, never a panic.
func TestLoadErrors(t *testing.T) {
	deep := header + "steps:\n  - name: a\n    log: x\n    description: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n"
	huge := header + "description: " + strings.Repeat("x", 10<<20) + "\n"
	for _, tc := range []struct {
		name string
		src  string
		line int
		col  int
		msg  string
	}{
		{"unclosed bracket names its own line", "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: [1, 2\ni: 3\n", 8, 4, "did not find expected ',' or ']'"},
		{"unclosed brace", "a: 1\nb: {x: 1\nc: 2\n", 2, 4, "did not find expected ',' or '}'"},
		{"tab indentation", "a: 1\n\tb: 2\n", 2, 1, "tab character"},
		{"bad indentation", "a: 1\n  b: 2\n", 2, 3, "mapping values are not allowed"},
		{"empty file", "", 1, 1, "file is empty"},
		{"only a comment", "# nothing\n", 1, 1, "file is empty"},
		{"not a mapping", "- a\n- b\n", 1, 1, "is a YAML mapping"},
		{"binary", "apiVersion: \x00\x01", 1, 1, "binary"},
		{"two documents", header + "steps: [{name: a, log: x}]\n---\nb: 1\n", 7, 1, "one definition"},
		{"duplicate key", header + "name: other\nsteps: [{name: a, log: x}]\n", 5, 1, `duplicate key "name" (first at line 3)`},
		{"duplicate key in a step", header + "steps:\n  - name: a\n    log: x\n    log: y\n", 8, 5, `duplicate key "log"`},
		{"deep nesting", deep, 8, 80, "nests more than"},
		{"huge file", huge, 1, 1, "a definition may be at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ds := engine.Load("f.yaml", []byte(tc.src), steps.All())
			if len(ds) == 0 {
				t.Fatalf("no diagnostic (definition %v)", d)
			}
			got := ds[0]
			if got.Pos.Line != tc.line || got.Pos.Col != tc.col || !strings.Contains(got.Message(), tc.msg) {
				t.Errorf("got %s\nwant f.yaml:%d:%d: ...%s...", got, tc.line, tc.col, tc.msg)
			}
		})
	}
}

// TestExprPositions checks that an expression error points inside the
// expression, in quoted, plain and block scalars.
func TestExprPositions(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		line int
		col  int
	}{
		{"plain", "    if: params.Nope == 1\n    log: x\n", 7, 16},
		{"quoted template", "    log: \"a ${{ params.Nope }}\"\n", 7, 24},
		{"block literal", "    if: |\n      true &&\n        params.Nope\n    log: x\n", 9, 16},
		{"folded", "    if: >\n      true && params.Nope\n    log: x\n", 8, 22},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := header + "steps:\n  - name: a\n" + tc.body
			r := engine.Validate([]engine.File{{Path: "f.yaml", Src: []byte(src)}}, engine.Options{Kinds: steps.All()})
			if len(r.Diags) == 0 {
				t.Fatal("no diagnostic")
			}
			got := r.Diags[0]
			if got.Pos.Line != tc.line || got.Pos.Col != tc.col || !strings.Contains(got.Summary, `no param "Nope"`) {
				t.Errorf("got %s, want f.yaml:%d:%d", got, tc.line, tc.col)
			}
		})
	}
}
