package casetest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/casetest"
	"github.com/runbook-dev/runbook/steps"
)

// failRE finds the expected failure of a test case, written on its name
// line: `# FAIL "text"`; the text must occur in one of its problems.
var failRE = regexp.MustCompile(`#\s*FAIL\s+"((?:[^"\\]|\\.)*)"`)

// testSuite is a test file checked against its definition.
type testSuite struct {
	file *casetest.File
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
		tf, ds := casetest.Load(p, read(t, p))
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
				r := casetest.Run(s.plan, c)
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

// TestTimeoutsSkipTime: a 24-hour approval timeout, and the deadlines of
// a question nobody answers (its default answer) and of a manual step
// nobody marks done, pass in workflow time, not on the wall clock.
func TestTimeoutsSkipTime(t *testing.T) {
	for _, tt := range []struct {
		file, name string
		took       time.Duration
	}{
		{"release.test.yaml", "silence never approves", 24 * time.Hour},
		{"human.test.yaml", "nobody answers, the default answer", 30 * time.Minute},
		{"human.test.yaml", "nobody answers a question without a default", 10 * time.Minute},
		{"human.test.yaml", "nobody marks it done", time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := loadTests(t, "testdata/tests/"+tt.file)[0]
			i := slices.IndexFunc(s.file.Cases, func(c *casetest.Case) bool { return c.Name == tt.name })
			if i < 0 {
				t.Fatalf("no case %q", tt.name)
			}
			r := casetest.Run(s.plan, s.file.Cases[i])
			if !r.Pass {
				t.Fatalf("failed: %v", r.Problems)
			}
			if r.Took < tt.took {
				t.Errorf("the execution took %s of workflow time, want %s", r.Took, tt.took)
			}
			if r.Wall > time.Second {
				t.Errorf("the case took %s on the wall clock, want well under a second", r.Wall)
			}
		})
	}
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
			tf, ds := casetest.Load(p, src)
			if tf != nil {
				plan := suites[filepath.Join("testdata/tests", filepath.Base(tf.Definition.Name))]
				if plan == nil {
					t.Fatalf("definition %q is none of testdata/tests", tf.Definition.Name)
				}
				ds = append(ds, tf.Check(plan, options(t))...)
			}
			marked(t, p, string(src), ds)
		})
	}
}

// TestCoverage: the edges the cases of queue.test.yaml take, and the one
// they leave.
func TestCoverage(t *testing.T) {
	s := loadTests(t, "testdata/tests/queue.test.yaml")[0]
	var results []*casetest.Result
	for _, c := range s.file.Cases {
		results = append(results, casetest.Run(s.plan, c))
	}
	var all []string
	for _, e := range casetest.Edges(s.plan) {
		all = append(all, e.String())
	}
	want := []string{"count → page (steps.count.n > params.Limit)", "count → quiet (default)", "page → fallback (onFailure)"}
	if !slices.Equal(all, want) {
		t.Errorf("edges %q, want %q", all, want)
	}
	if u := casetest.Untaken(s.plan, results); len(u) != 0 {
		t.Errorf("untaken %v, want none", u)
	}
	if u := casetest.Untaken(s.plan, results[:1]); len(u) != 2 || u[0].To != "page" || u[1].To != "fallback" {
		t.Errorf("untaken by the quiet case: %v", u)
	}
}

// options are the validation options of the test definitions.
func options(testing.TB) engine.Options {
	return engine.Options{Kinds: steps.All(), Services: steps.AWS()}
}

// errorMark is an expected error written inline at its line: `# ERROR
// "text"`; the text must occur in the message.
var errorMark = regexp.MustCompile(`#\s*ERROR\s+"((?:[^"\\]|\\.)*)"`)

// marked compares ds with the errors marked in src: each must be reported
// at its line, and nothing else may be.
func marked(t *testing.T, path, src string, ds engine.Diagnostics) {
	t.Helper()
	seen := map[int]map[string]bool{}
	for i, line := range strings.Split(src, "\n") {
		for _, m := range errorMark.FindAllStringSubmatch(line, -1) {
			if seen[i+1] == nil {
				seen[i+1] = map[string]bool{}
			}
			seen[i+1][strings.ReplaceAll(m[1], `\"`, `"`)] = false
		}
	}
	if len(seen) == 0 {
		t.Fatal("no # ERROR expectation in the file")
	}
	for _, d := range ds {
		matched := false
		for text := range seen[d.Pos.Line] {
			if strings.Contains(d.Message(), text) {
				seen[d.Pos.Line][text], matched = true, true
			}
		}
		if !matched {
			t.Errorf("unexpected %s", d)
		}
	}
	for line, texts := range seen {
		for text, ok := range texts {
			if !ok {
				t.Errorf("%s:%d: missing error containing %q", path, line, text)
			}
		}
	}
}

// TestLoadBinary: a test file is parsed as definitions are, so binary
// content is refused before YAML reads it.
func TestLoadBinary(t *testing.T) {
	tf, ds := casetest.Load("bin.test.yaml", []byte("cases: []\x00\x01"))
	if tf != nil || len(ds) != 1 || !strings.Contains(ds[0].Message(), "file is binary, not YAML") {
		t.Errorf("got %v, %v; want only: file is binary", tf, ds)
	}
}
