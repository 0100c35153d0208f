package main

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/casetest"
)

// printTests writes each test file's report: the definition's or the test
// file's diagnostics, else a PASS or FAIL line per case (with why it
// failed) and the routes no case took.
//
//	runbooks/ec2-restart.test.yaml (ec2-restart@1.0.0)
//	PASS restarts a running instance (4ms; 10m of workflow time)
//	FAIL stop refused (3ms)
//	    status: got failed at step stop (...), want succeeded
//	routes: 2 of 3 taken; never taken:
//	    count → flood (steps.count.n > 1) at runbooks/x.yaml:12:9
func printTests(e *env, suites []*suite, defDiags engine.Diagnostics, srcs map[string][]byte) error {
	w := bufio.NewWriter(e.stdout)
	printed := map[string]bool{}
	for i, s := range suites {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := s.path
		if s.plan != nil {
			head += fmt.Sprintf(" (%s@%s)", s.plan.Name, s.plan.Version)
		}
		fmt.Fprintln(w, head)
		if s.invalid {
			fmt.Fprintf(w, "FAIL the definition %s is invalid\n", s.def)
			if !printed[s.def] {
				printed[s.def] = true
				if err := printText(w, diagsOf(defDiags, s.def), srcs); err != nil {
					return err
				}
			}
			continue
		}
		if err := printText(w, s.diags, srcs); err != nil {
			return err
		}
		if s.diags.HasErrors() {
			fmt.Fprintln(w, "MALFORMED: no case ran")
			continue
		}
		for _, r := range s.results {
			verdict := "PASS"
			if !r.Pass {
				verdict = "FAIL"
			}
			fmt.Fprintf(w, "%s %s (%s)\n", verdict, r.Name, caseTime(r))
			for _, p := range r.Problems {
				fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(p, "\n", "\n    "))
			}
		}
		printRoutes(w, s)
	}
	return w.Flush()
}

func printRoutes(w *bufio.Writer, s *suite) {
	switch {
	case s.edges == 0:
		fmt.Fprintln(w, "routes: none to cover")
	case len(s.untaken) == 0:
		fmt.Fprintf(w, "routes: all %d taken\n", s.edges)
	default:
		fmt.Fprintf(w, "routes: %d of %d taken; never taken:\n", s.edges-len(s.untaken), s.edges)
		for _, u := range s.untaken {
			fmt.Fprintf(w, "    %s at %s\n", u, u.Pos)
		}
	}
}

// caseTime is a case's wall time, and the workflow time it covered when
// time skipped.
func caseTime(r *casetest.Result) string {
	s := r.Wall.Round(time.Millisecond).String()
	if r.Wall < time.Millisecond {
		s = r.Wall.Round(time.Microsecond).String()
	}
	if r.Took >= time.Second {
		s += "; " + engine.FormatDuration(r.Took) + " of workflow time"
	}
	return s
}

func diagsOf(ds engine.Diagnostics, file string) engine.Diagnostics {
	var out engine.Diagnostics
	for _, d := range ds {
		if d.Pos.File == file {
			out = append(out, d)
		}
	}
	return out
}

// jsonSuite is one test file in -o json.
type jsonSuite struct {
	File        string           `json:"file"`
	Definition  string           `json:"definition,omitempty"` // NAME@VERSION
	Invalid     bool             `json:"invalid,omitempty"`    // the definition did not validate
	Diagnostics []jsonDiag       `json:"diagnostics"`
	Cases       []jsonCase       `json:"cases"`
	Routes      int              `json:"routes"`
	Untaken     []*casetest.Edge `json:"untaken"`
}

// jsonCase is one case in -o json.
type jsonCase struct {
	Name       string   `json:"name"`
	Pass       bool     `json:"pass"`
	Millis     float64  `json:"ms"`
	Workflow   float64  `json:"workflowSeconds"`
	Problems   []string `json:"problems,omitempty"`
	Status     string   `json:"status,omitempty"`
	Failed     string   `json:"failed,omitempty"`
	ErrorType  string   `json:"errorType,omitempty"`
	StepsTaken []string `json:"path,omitempty"`
}

// printTestsJSON writes {files: [...], passed, failed, malformed}.
func printTestsJSON(e *env, suites []*suite, defDiags engine.Diagnostics) error {
	out := struct {
		Files     []jsonSuite `json:"files"`
		Passed    int         `json:"passed"`
		Failed    int         `json:"failed"`
		Malformed int         `json:"malformed"`
	}{Files: []jsonSuite{}}
	for _, s := range suites {
		js := jsonSuite{File: s.path, Invalid: s.invalid, Diagnostics: []jsonDiag{}, Cases: []jsonCase{}, Routes: s.edges, Untaken: s.untaken}
		if js.Untaken == nil {
			js.Untaken = []*casetest.Edge{}
		}
		if s.plan != nil {
			js.Definition = s.plan.Name + "@" + s.plan.Version
		}
		ds := s.diags
		if s.invalid {
			ds = diagsOf(defDiags, s.def)
		}
		for _, d := range ds {
			js.Diagnostics = append(js.Diagnostics, jsonDiag{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Severity: d.Severity.String(), Message: d.Message()})
		}
		if s.diags.HasErrors() {
			out.Malformed++
		}
		for _, r := range s.results {
			jc := jsonCase{Name: r.Name, Pass: r.Pass, Millis: float64(r.Wall.Microseconds()) / 1000, Workflow: r.Took.Seconds(), Problems: r.Problems}
			if o := r.Outcome; o != nil {
				jc.Status, jc.Failed = o.Status, o.Failed
				if o.Error != nil {
					jc.ErrorType = o.Error.Type
				}
			}
			if r.Pass {
				out.Passed++
			} else {
				out.Failed++
			}
			js.Cases = append(js.Cases, jc)
		}
		out.Files = append(out.Files, js)
	}
	return writeJSON(e.stdout, out)
}

// testVerdict prints the closing line on stderr and maps the report to
// the exit code: 2 for a malformed test file, 1 for a failed case or an
// invalid definition.
func testVerdict(e *env, suites []*suite, took time.Duration) error {
	var passed, failed, malformed, invalid int
	for _, s := range suites {
		switch {
		case s.invalid:
			invalid++
		case s.diags.HasErrors():
			malformed++
		}
		for _, r := range s.results {
			if r.Pass {
				passed++
			} else {
				failed++
			}
		}
	}
	total := passed + failed
	files := plural(len(suites), "test file")
	took = took.Round(time.Millisecond)
	switch {
	case malformed > 0:
		fmt.Fprintf(e.stderr, "FAIL: %d of %d cases failed; %s malformed, %d invalid definitions (%s)\n", failed, total, plural(malformed, "test file"), invalid, took)
		return usagef("%s malformed", plural(malformed, "test file"))
	case failed > 0 || invalid > 0:
		fmt.Fprintf(e.stderr, "FAIL: %d of %d cases failed in %s", failed, total, files)
		if invalid > 0 {
			fmt.Fprintf(e.stderr, "; %s invalid", plural(invalid, "definition"))
		}
		fmt.Fprintf(e.stderr, " (%s)\n", took)
		return errTestsFailed
	}
	fmt.Fprintf(e.stderr, "ok: %s passed in %s (%s)\n", plural(passed, "case"), files, took)
	return nil
}
