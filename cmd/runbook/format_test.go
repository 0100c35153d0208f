package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

func TestJSONFormat(t *testing.T) {
	dir := workdir(t, map[string]string{"invalid.yaml": invalid, "valid.yaml": valid})
	r := runIn(t, dir, "validate", "-o", "json", "invalid.yaml")
	var got []jsonDiag
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not a JSON array of diagnostics: %v\n%s", err, r.stdout)
	}
	want := jsonDiag{File: "invalid.yaml", Line: 7, Col: 5, Severity: "error", Message: `unknown field "slep" in step; did you mean "sleep"?`}
	if !containsDiag(got, want) {
		t.Errorf("got %+v, want it to contain %+v", got, want)
	}
	r = runIn(t, dir, "validate", "-o", "json", "valid.yaml")
	if strings.TrimSpace(r.stdout) != "[]" || r.code != 0 {
		t.Errorf("valid file: exit %d, stdout %q; want 0, []", r.code, r.stdout)
	}
}

func containsDiag(ds []jsonDiag, want jsonDiag) bool {
	for _, d := range ds {
		if d == want {
			return true
		}
	}
	return false
}

var githubLine = regexp.MustCompile(`^::(error|warning) file=[^,:]+,line=[0-9]+,col=[0-9]+::[^\r\n]+$`)

func TestGitHubFormat(t *testing.T) {
	// The file name holds a comma and a colon, which properties escape.
	dir := workdir(t, map[string]string{"in,va:lid.yaml": invalid, "w.yaml": unusedParam})
	r := runIn(t, dir, "validate", "-o", "github", ".")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	for _, l := range lines {
		if !githubLine.MatchString(l) {
			t.Errorf("not a workflow command: %q", l)
		}
	}
	want := `::error file=in%2Cva%3Alid.yaml,line=7,col=5::unknown field "slep" in step; did you mean "sleep"?`
	if !strings.Contains(r.stdout, want+"\n") {
		t.Errorf("stdout:\n%s\nwant the line:\n%s", r.stdout, want)
	}
	if !strings.Contains(r.stdout, "::warning file=w.yaml,line=6,col=3::") {
		t.Errorf("stdout:\n%s\nwant a warning for the unused param", r.stdout)
	}
}

func TestGitHubEscape(t *testing.T) {
	if got, want := githubData("100% done\r\nnext, a: b"), "100%25 done%0D%0Anext, a: b"; got != want {
		t.Errorf("githubData = %q, want %q", got, want)
	}
	if got, want := githubProperty("a,b:c%\n"), "a%2Cb%3Ac%25%0A"; got != want {
		t.Errorf("githubProperty = %q, want %q", got, want)
	}
}

func TestSARIFFormat(t *testing.T) {
	dir := workdir(t, map[string]string{"sub/invalid.yaml": invalid, "w.yaml": unusedParam})
	r := runIn(t, dir, "validate", "-o", "sarif", ".")
	var log sarifLog
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatalf("stdout is not SARIF JSON: %v\n%s", err, r.stdout)
	}
	if log.Version != "2.1.0" || log.Schema == "" || len(log.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs; want 2.1.0, a schema, 1 run", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "runbook" || run.Tool.Driver.InformationURI == "" {
		t.Errorf("driver %+v: want name runbook and an informationUri", run.Tool.Driver)
	}
	rules := map[string]bool{}
	for _, rule := range run.Tool.Driver.Rules {
		rules[rule.ID] = true
	}
	levels := map[string]int{}
	var found bool
	for _, res := range run.Results {
		levels[res.Level]++
		if !rules[res.RuleID] || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %+v names rule %q (index %d), not among the driver's rules", res, res.RuleID, res.RuleIndex)
		}
		if len(res.Locations) != 1 {
			t.Fatalf("result %+v: want one location", res)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI == "sub/invalid.yaml" && loc.Region != nil && *loc.Region == (sarifRegion{StartLine: 7, StartColumn: 5}) &&
			res.Level == "error" && strings.HasPrefix(res.Message.Text, `unknown field "slep"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no error result at sub/invalid.yaml 7:5 in:\n%s", r.stdout)
	}
	if levels["error"] == 0 || levels["warning"] == 0 || len(levels) != 2 {
		t.Errorf("levels %v: want errors and warnings only", levels)
	}
}

func TestSummary(t *testing.T) {
	at := engine.Pos{File: "a.yaml", Line: 1, Col: 1}
	errs := engine.Diagnostics{{Severity: engine.Error, Pos: at}, {Severity: engine.Error, Pos: engine.Pos{File: "b.yaml"}}, {Severity: engine.Warning, Pos: at}}
	warns := engine.Diagnostics{{Severity: engine.Warning, Pos: at}}
	tests := []struct {
		ds     engine.Diagnostics
		defs   int
		strict bool
		want   string
	}{
		{nil, 3, false, "3 definitions valid"},
		{nil, 1, true, "1 definition valid"},
		{warns, 2, false, "2 definitions valid, 1 warning"},
		{warns, 2, true, "1 warning in 1 file (--strict)"},
		{errs, 3, false, "2 errors, 1 warning in 2 files"},
	}
	for _, tt := range tests {
		if got := summary(tt.ds, tt.defs, tt.strict); got != tt.want {
			t.Errorf("summary(%v, %d, %v) = %q, want %q", tt.ds, tt.defs, tt.strict, got, tt.want)
		}
	}
}

func TestPlanJSON(t *testing.T) {
	r := runIn(t, workdir(t, map[string]string{"valid.yaml": valid}), "plan", "valid.yaml")
	var p engine.Plan
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("exit %d; stdout is not a plan: %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if p.Name != "demo" || p.Version != "1.0.0" || len(p.Steps) != 1 || p.Steps[0].Name != "wait" || p.Steps[0].Kind != "sleep" {
		t.Errorf("plan %s@%s with steps %+v; want demo@1.0.0 with one sleep step wait", p.Name, p.Version, p.Steps)
	}
	if !strings.HasPrefix(r.stdout, "{\n  \"") {
		t.Errorf("plan is not indented JSON:\n%s", r.stdout)
	}
}
