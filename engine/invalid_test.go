package engine_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// expectRE finds an expected diagnostic written inline at its line:
// `# ERROR "text"` or `# WARNING "text"`; the text must occur in the
// message.
var expectRE = regexp.MustCompile(`#\s*(ERROR|WARNING)\s+"((?:[^"\\]|\\.)*)"`)

// options checks against the real step kinds and AWS registry, with the
// files of testdata/catalog resolvable by run: and recommend.
func options(t testing.TB) engine.Options {
	t.Helper()
	var catalog []engine.File
	paths, _ := filepath.Glob("testdata/catalog/*.yaml")
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		catalog = append(catalog, engine.File{Path: p, Src: src})
	}
	return engine.Options{Kinds: steps.All(), Services: steps.AWS(), Catalog: catalog}
}

// TestInvalid validates every file under testdata/invalid and compares its
// diagnostics with the expectations written in it: each expected one must
// be reported at its line, and nothing else may be.
func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no invalid definitions under testdata/invalid")
	}
	opts := options(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			exps := expectations(string(src))
			if len(exps) == 0 {
				t.Fatal("no # ERROR expectation in the file")
			}
			r := engine.Validate([]engine.File{{Path: f, Src: src}}, opts)
			for _, d := range r.Diags {
				matched := false
				for _, e := range exps {
					if e.line == d.Pos.Line && e.severity == d.Severity.String() && strings.Contains(d.Message(), e.text) {
						e.seen, matched = true, true
					}
				}
				if !matched && (d.Severity == engine.Error || wantsWarnings(exps)) {
					t.Errorf("unexpected %s", d)
				}
			}
			for _, e := range exps {
				if !e.seen {
					t.Errorf("%s:%d: missing %s containing %q", f, e.line, e.severity, e.text)
				}
			}
		})
	}
}

type expectation struct {
	line     int
	severity string
	text     string
	seen     bool
}

func expectations(src string) []*expectation {
	var out []*expectation
	for i, line := range strings.Split(src, "\n") {
		for _, m := range expectRE.FindAllStringSubmatch(line, -1) {
			out = append(out, &expectation{line: i + 1, severity: strings.ToLower(m[1]), text: strings.ReplaceAll(m[2], `\"`, `"`)})
		}
	}
	return out
}

// wantsWarnings reports whether a file checks warnings too; otherwise
// unexpected warnings are tolerated.
func wantsWarnings(exps []*expectation) bool {
	for _, e := range exps {
		if e.severity == "warning" {
			return true
		}
	}
	return false
}
