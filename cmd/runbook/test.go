package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/casetest"
)

// testCmd runs runbook tests: NAME.test.yaml files beside definitions,
// each case run on Temporal's test environment with canned responses
// (see casetest.File for the format).
type testCmd struct {
	Paths   []string `arg:"" optional:"" name:"path" sep:"none" help:"Test files (*.test.yaml), definitions whose tests to run, or directories searched recursively for test files (hidden and testdata directories skipped). Default: the current directory."`
	Output  string   `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
	Filter  string   `name:"run" placeholder:"REGEXP" help:"Run only the cases whose name matches."`
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions that run: and recommend.run may name, besides the files given and the built-in library. Repeatable."`
	Record  string   `placeholder:"ID" help:"Write a test case from execution ID's history (and its children's) instead of running tests."`
	Out     string   `placeholder:"FILE" type:"path" help:"With --record: add the case to FILE (created if missing) instead of printing it."`
	conn    `embed:"" group:"Temporal connection (--record)"`
}

// errTestsFailed is a failed case or an invalid definition: exit 1, the
// report printed.
var errTestsFailed = fmt.Errorf("tests failed: %w", errInvalid)

// suite is one test file and what became of it.
type suite struct {
	path, def string
	file      *casetest.File
	plan      *engine.Plan
	diags     engine.Diagnostics // the test file's
	invalid   bool               // the definition did not validate
	cases     []*casetest.Case   // those run
	results   []*casetest.Result
	untaken   []*casetest.Edge
	edges     int
}

// Run loads the test files, validates their definitions, checks the tests
// against them, runs the cases and reports each with the routes no case
// took. A failed case or an invalid definition exits 1; a malformed test
// file 2.
func (c *testCmd) Run(e *env) error {
	if c.Record != "" {
		return c.record(e)
	}
	if c.Out != "" {
		return usagef("--out goes with --record")
	}
	var filter *regexp.Regexp
	if c.Filter != "" {
		var err error
		if filter, err = regexp.Compile(c.Filter); err != nil {
			return usagef("--run: %v", err)
		}
	}
	paths := c.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	tests, err := collectTests(paths)
	if err != nil {
		return err
	}
	if len(tests) == 0 {
		return usagef("no test files (*.test.yaml) in %s", strings.Join(paths, ", "))
	}
	catalog, err := loadCatalog(c.Catalog)
	if err != nil {
		return err
	}
	catalog = append(besideTests(tests), catalog...)
	begin := time.Now()
	suites, defs, r := loadSuites(tests, catalog)
	srcs := sources(defs, catalog)
	var defDiags engine.Diagnostics
	for _, d := range r.Diags {
		if d.Severity == engine.Error {
			defDiags = append(defDiags, d)
		}
	}
	for _, s := range suites {
		if s.file == nil || s.invalid {
			continue
		}
		srcs[s.path] = s.file.Src
		for _, tc := range s.file.Cases {
			if filter == nil || filter.MatchString(tc.Name) {
				s.cases = append(s.cases, tc)
			}
		}
	}
	// The test environment identifies its worker by the binary's checksum,
	// which the SDK reads the whole binary to compute: half a second this
	// process has no use for (it runs no real worker).
	worker.SetBinaryChecksum("runbook-test-" + buildVersion())
	runSuites(suites)
	if c.Output == "json" {
		err = printTestsJSON(e, suites, defDiags)
	} else {
		err = printTests(e, suites, defDiags, srcs)
	}
	if err != nil {
		return err
	}
	return testVerdict(e, suites, time.Since(begin))
}

// collectTests finds the test files at paths (see walk): a test file as
// given, the test file of a definition given, test files in a directory.
func collectTests(paths []string) ([]string, error) {
	return walk(paths, func(p string, given bool) (string, error) {
		switch {
		case engine.IsTestFile(p):
			return p, nil
		case !given:
			return "", nil
		}
		t := strings.TrimSuffix(p, filepath.Ext(p)) + ".test.yaml"
		if _, err := os.Stat(t); err != nil {
			return "", usagef("%s: no test file %s beside it", p, t)
		}
		return t, nil
	})
}

// besideTests reads the definitions in the test files' directories (not
// below), which run: and recommend may name though they have no tests.
func besideTests(tests []string) []engine.File {
	var out []engine.File
	seen := map[string]bool{}
	for _, t := range tests {
		dir := filepath.Dir(t)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		entries, _ := os.ReadDir(dir)
		for _, en := range entries {
			p := filepath.Join(dir, en.Name())
			if en.Type().IsRegular() && isDefinition(p) {
				if src, err := os.ReadFile(p); err == nil {
					out = append(out, engine.File{Path: p, Src: src})
				}
			}
		}
	}
	return out
}

// loadSuites loads the test files, then validates their definitions
// together (the catalog resolving run: and recommend) and checks each
// test file against its definition's plan.
func loadSuites(tests []string, catalog []engine.File) ([]*suite, []engine.File, *engine.Result) {
	var suites []*suite
	var defs []engine.File
	read := map[string]bool{}
	for _, p := range tests {
		s := &suite{path: p}
		suites = append(suites, s)
		src, err := os.ReadFile(p)
		if err != nil {
			s.diags.Errorf(engine.Pos{File: p}, "%v", err)
			continue
		}
		s.file, s.diags = casetest.Load(p, src)
		if s.file == nil {
			s.file = &casetest.File{Path: p, Src: src}
		}
		s.def = definitionOf(p, s.file)
		if _, err := os.Stat(s.def); err != nil {
			s.diags.Errorf(engine.Pos{File: p, Line: 1, Col: 1}, "no definition %s beside it", s.def).Hint =
				"name the definition's file with `definition:`"
			s.def = ""
			continue
		}
		if !read[filepath.Clean(s.def)] {
			read[filepath.Clean(s.def)] = true
			if src, err := os.ReadFile(s.def); err == nil {
				defs = append(defs, engine.File{Path: s.def, Src: src})
			}
		}
	}
	r := engine.Validate(defs, options(catalog))
	for _, s := range suites {
		if s.def == "" {
			continue
		}
		for _, p := range r.Plans {
			if filepath.Clean(p.Source.File) == filepath.Clean(s.def) {
				s.plan = p
			}
		}
		if s.plan == nil {
			s.invalid = true
			continue
		}
		if len(s.file.Cases) > 0 {
			s.diags = append(s.diags, s.file.Check(s.plan, options(catalog))...)
			s.diags.Sort()
		}
		s.edges = len(casetest.Edges(s.plan))
	}
	return suites, defs, r
}

// definitionOf is the definition a test file tests: the one it names,
// else NAME.yaml (or NAME.yml) beside NAME.test.yaml.
func definitionOf(path string, tf *casetest.File) string {
	if tf.Definition.Name != "" {
		return filepath.Join(filepath.Dir(path), tf.Definition.Name)
	}
	base := strings.TrimSuffix(strings.TrimSuffix(path, ".test.yaml"), ".test.yml")
	if _, err := os.Stat(base + ".yml"); err == nil {
		return base + ".yml"
	}
	return base + ".yaml"
}

// runSuites runs the cases of the clean suites, as many at once as there
// are processors, and computes each suite's untaken routes.
func runSuites(suites []*suite) {
	type job struct {
		s *suite
		i int
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				j.s.results[j.i] = casetest.Run(j.s.plan, j.s.cases[j.i])
			}
		})
	}
	for _, s := range suites {
		if s.diags.HasErrors() || s.invalid || s.plan == nil {
			continue
		}
		s.results = make([]*casetest.Result, len(s.cases))
		for i := range s.cases {
			jobs <- job{s, i}
		}
	}
	close(jobs)
	wg.Wait()
	for _, s := range suites {
		if s.results != nil {
			s.untaken = casetest.Untaken(s.plan, s.results)
		}
	}
}
