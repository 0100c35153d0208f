package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// TestValid validates every file under testdata/valid alone, with the test
// catalog: each must check without errors and lower to a plan.
func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) < 8 {
		t.Fatalf("want at least 8 valid definitions under testdata/valid, have %d", len(files))
	}
	validEach(t, files, options(t))
}

// TestValidCatalog checks that the catalog the other tests resolve `run:`
// against is itself valid: an invalid catalog file would be dropped
// silently and make other tests fail for the wrong reason.
func TestValidCatalog(t *testing.T) {
	files, _ := filepath.Glob("testdata/catalog/*.yaml")
	if len(files) == 0 {
		t.Fatal("no catalog definitions under testdata/catalog")
	}
	validEach(t, files, options(t))
}

// TestValidExamples validates examples/*.yaml together (the routing file
// names the playbook beside it), with the shipped library as the catalog.
func TestValidExamples(t *testing.T) {
	files := readFiles(t, "../examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	opts := options(t)
	opts.Catalog = append(opts.Catalog, readFiles(t, "../runbooks/*.yaml")...)
	opts.Catalog = append(opts.Catalog, readFiles(t, "../playbooks/*.yaml")...)
	r := engine.Validate(files, opts)
	for _, d := range r.Diags {
		if d.Severity == engine.Error {
			t.Errorf("%s", d)
		} else {
			t.Logf("%s", d)
		}
	}
	if len(r.Plans) != len(files) {
		t.Errorf("%d files gave %d plans", len(files), len(r.Plans))
	}
}

func validEach(t *testing.T, paths []string, opts engine.Options) {
	t.Helper()
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			r := engine.Validate([]engine.File{{Path: p, Src: src}}, opts)
			for _, d := range r.Diags {
				if d.Severity == engine.Error {
					t.Errorf("%s", d)
				} else {
					t.Logf("%s", d)
				}
			}
			if len(r.Defs) != 1 {
				t.Fatalf("loaded %d definitions, want 1", len(r.Defs))
			}
			if len(r.Plans) != 1 {
				t.Fatalf("got %d plans, want 1", len(r.Plans))
			}
			p := r.Plans[0]
			d := r.Defs[0]
			if p.Name != d.Name.Name || p.Version != d.Version.Name || p.Digest == "" {
				t.Errorf("plan %s@%s (digest %q) for definition %s", p.Name, p.Version, p.Digest, d.ID())
			}
			if d.Kind.Name != engine.KindRouting && len(p.Steps) == 0 {
				t.Errorf("plan has no steps")
			}
		})
	}
}

func readFiles(t *testing.T, glob string) []engine.File {
	t.Helper()
	paths, _ := filepath.Glob(glob)
	var out []engine.File
	for _, p := range paths {
		if engine.IsTestFile(p) {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, engine.File{Path: p, Src: src})
	}
	return out
}
