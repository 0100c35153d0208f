package engine_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestPlanGolden lowers every valid definition and compares the plan's
// JSON with testdata/plans/NAME.json (go test ./engine -run TestPlanGolden
// -update rewrites them).
func TestPlanGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/valid/*.yaml")
	opts := options(t)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			r := engine.Validate([]engine.File{{Path: p, Src: src}}, opts)
			if len(r.Plans) != 1 {
				t.Fatalf("no plan: %v", r.Diags)
			}
			got, err := json.MarshalIndent(r.Plans[0], "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "plans", strings.TrimSuffix(filepath.Base(p), ".yaml")+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("plan differs from %s (run with -update if the change is intended):\n%s", golden, firstDiff(string(want), string(got)))
			}
		})
	}
}

// TestDigest checks that the digest ignores comments and layout but not
// content, and that a plan survives a JSON round trip unchanged.
func TestDigest(t *testing.T) {
	base := "apiVersion: runbook/v1\nkind: Runbook\nname: d\nversion: 1.0.0\nparams:\n  N: {type: int, default: 3}\nsteps:\n  - name: wait\n    sleep: 10s\n  - name: say\n    log: n is ${{ params.N % 2 }}\n"
	relaid := "# a comment\napiVersion: runbook/v1\nkind: Runbook\nname: d\nversion: 1.0.0\n\nparams:\n  N:\n    type: int\n    default: 3\nsteps:\n- name: wait\n  sleep: 10s   # wait\n- {name: say, log: 'n is ${{ params.N % 2 }}'}\n"
	changed := strings.Replace(base, "10s", "11s", 1)
	digest := func(src string) (string, *engine.Plan) {
		r := engine.Validate([]engine.File{{Path: "d.yaml", Src: []byte(src)}}, options(t))
		if len(r.Plans) != 1 {
			t.Fatalf("no plan: %v", r.Diags)
		}
		return r.Plans[0].Digest, r.Plans[0]
	}
	a, plan := digest(base)
	if b, _ := digest(relaid); a != b {
		t.Errorf("comments and layout changed the digest: %s vs %s", a, b)
	}
	if c, _ := digest(changed); a == c {
		t.Errorf("a changed sleep kept the digest %s", a)
	}
	raw, _ := json.Marshal(plan)
	var back engine.Plan
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if d := engine.Digest(&back); d != a {
		t.Errorf("digest after a JSON round trip: %s, want %s", d, a)
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}
