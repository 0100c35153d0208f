package engine_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// failRE finds the expected failure of a test case, written on its name
// line: `# FAIL "text"`; the text must occur in one of its problems.
var failRE = regexp.MustCompile(`#\s*FAIL\s+"((?:[^"\\]|\\.)*)"`)

// testSuite is a test file checked against its definition.
type testSuite struct {
	file *engine.TestFile
	plan *engine.Plan
}

// loadTests validates the definitions of testdata/tests and loads, checks
// and pairs the test files matching glob with them.
func loadTests(t *testing.T, glob string) []testSuite {
	t.Helper()
	defs, _ := filepath.Glob("testdata/tests/*.yaml")
	var files []engine.File
	for _, p := range defs {
		if !engine.IsTestFile(p) {
			files = append(files, engine.File{Path: p, Src: read(t, p)})
		}
	}
	r := engine.Validate(files, options(t))
	if r.Diags.HasErrors() {
		t.Fatalf("invalid test definitions: %v", r.Diags)
	}
	paths, _ := filepath.Glob(glob)
	if len(paths) == 0 {
		t.Fatalf("no test files match %s", glob)
	}
	var out []testSuite
	for _, p := range paths {
		tf, ds := engine.LoadTest(p, read(t, p))
		if ds.HasErrors() {
			t.Fatalf("%s: %v", p, ds)
		}
		def := strings.TrimSuffix(p, ".test.yaml") + ".yaml"
		if tf.Definition.Name != "" {
			def = filepath.Join(filepath.Dir(p), tf.Definition.Name)
		}
		var plan *engine.Plan
		for _, pl := range r.Plans {
			if pl.Source.File == def {
				plan = pl
			}
		}
		if plan == nil {
			t.Fatalf("%s: no definition %s", p, def)
		}
		if ds := tf.Check(plan, options(t)); ds.HasErrors() {
			t.Fatalf("%s: %v", p, ds)
		}
		out = append(out, testSuite{tf, plan})
	}
	return out
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestCases runs every case of testdata/tests: a case marked `# FAIL
// "text"` must fail with a problem containing text, every other one pass.
func TestCases(t *testing.T) {
	for _, s := range loadTests(t, "testdata/tests/*.test.yaml") {
		lines := strings.Split(string(s.file.Src), "\n")
		for _, c := range s.file.Cases {
			t.Run(filepath.Base(s.file.Path)+"/"+c.Name, func(t *testing.T) {
				want := ""
				if m := failRE.FindStringSubmatch(lines[c.Pos.Line-1]); m != nil {
					want = strings.ReplaceAll(m[1], `\"`, `"`)
				}
				r := engine.RunCase(s.plan, c)
				switch {
				case want == "" && !r.Pass:
					t.Errorf("failed:\n%s", strings.Join(r.Problems, "\n"))
				case want != "" && r.Pass:
					t.Errorf("passed; want a failure containing %q", want)
				case want != "" && !slices.ContainsFunc(r.Problems, func(p string) bool { return strings.Contains(p, want) }):
					t.Errorf("failed with\n%s\nwant a problem containing %q", strings.Join(r.Problems, "\n"), want)
				}
			})
		}
	}
}

// TestApprovalTimeoutSkipsTime: a 24-hour approval timeout passes in
// workflow time, not on the wall clock.
func TestApprovalTimeoutSkipsTime(t *testing.T) {
	s := loadTests(t, "testdata/tests/release.test.yaml")[0]
	for _, c := range s.file.Cases {
		if c.Name != "silence never approves" {
			continue
		}
		r := engine.RunCase(s.plan, c)
		if !r.Pass {
			t.Fatalf("failed: %v", r.Problems)
		}
		if r.Took < 24*time.Hour {
			t.Errorf("the execution took %s of workflow time, want 24h", r.Took)
		}
		if r.Wall > time.Second {
			t.Errorf("the case took %s on the wall clock, want well under a second", r.Wall)
		}
		return
	}
	t.Fatal("no case \"silence never approves\"")
}

// TestInvalidTests checks every test file under testdata/tests/invalid
// against the definition it names and compares the diagnostics with the
// `# ERROR "text"` expectations written in it.
func TestInvalidTests(t *testing.T) {
	suites := map[string]*engine.Plan{}
	for _, s := range loadTests(t, "testdata/tests/*.test.yaml") {
		suites[s.plan.Source.File] = s.plan
	}
	paths, _ := filepath.Glob("testdata/tests/invalid/*.test.yaml")
	if len(paths) == 0 {
		t.Fatal("no test files under testdata/tests/invalid")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			src := read(t, p)
			exps := expectations(string(src))
			if len(exps) == 0 {
				t.Fatal("no # ERROR expectation in the file")
			}
			tf, ds := engine.LoadTest(p, src)
			if tf != nil {
				plan := suites[filepath.Join("testdata/tests", filepath.Base(tf.Definition.Name))]
				if plan == nil {
					t.Fatalf("definition %q is none of testdata/tests", tf.Definition.Name)
				}
				ds = append(ds, tf.Check(plan, options(t))...)
			}
			for _, d := range ds {
				matched := false
				for _, e := range exps {
					if e.line == d.Pos.Line && strings.Contains(d.Message(), e.text) {
						e.seen, matched = true, true
					}
				}
				if !matched {
					t.Errorf("unexpected %s", d)
				}
			}
			for _, e := range exps {
				if !e.seen {
					t.Errorf("%s:%d: missing error containing %q", p, e.line, e.text)
				}
			}
		})
	}
}

// TestCoverage: the edges the cases of queue.test.yaml take, and the one
// they leave.
func TestCoverage(t *testing.T) {
	s := loadTests(t, "testdata/tests/queue.test.yaml")[0]
	var results []*engine.CaseResult
	for _, c := range s.file.Cases {
		results = append(results, engine.RunCase(s.plan, c))
	}
	var all []string
	for _, e := range engine.Edges(s.plan) {
		all = append(all, e.String())
	}
	want := []string{"count → page (steps.count.n > params.Limit)", "count → quiet (default)", "page → fallback (onFailure)"}
	if !slices.Equal(all, want) {
		t.Errorf("edges %q, want %q", all, want)
	}
	if u := engine.Untaken(s.plan, results); len(u) != 0 {
		t.Errorf("untaken %v, want none", u)
	}
	if u := engine.Untaken(s.plan, results[:1]); len(u) != 2 || u[0].To != "page" || u[1].To != "fallback" {
		t.Errorf("untaken by the quiet case: %v", u)
	}
}
