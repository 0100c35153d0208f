package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// FuzzLoad feeds arbitrary bytes to the whole validation pipeline: it must
// never panic or hang, and a result without errors must have a plan.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/invalid", "../examples"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, p := range paths {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
	}
	f.Add([]byte("a: [1, 2\n"))
	f.Add([]byte("apiVersion: runbook/v1\nkind: Runbook\nname: x\nversion: 1.0.0\nsteps: [{name: a, log: '${{ params }}'}]\n"))
	opts := engine.Options{Kinds: steps.All()}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := engine.Validate([]engine.File{{Path: "fuzz.yaml", Src: src}}, opts)
		if !r.Diags.HasErrors() && len(r.Defs) == 1 && len(r.Plans) != 1 {
			t.Fatalf("valid definition without a plan")
		}
	})
}
