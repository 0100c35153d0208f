package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDescribe: describe shows a definition's params (types, defaults,
// descriptions), steps, triggers, approvals and the command that runs
// it, in text (golden file testdata/describe/gate.txt, -update rewrites
// it) and JSON; a library name resolves as run resolves it.
func TestDescribe(t *testing.T) {
	r := runIn(t, ".", "describe", "testdata/describe/gate.yaml")
	golden := filepath.Join("testdata", "describe", "gate.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != 0 || r.stdout != string(want) {
		t.Errorf("describe: %s\nwant stdout:\n%s", r, want)
	}

	r = runIn(t, ".", "describe", "testdata/describe/gate.yaml", "-o", "json")
	var d struct {
		Name, Version, Command string
		Params                 []struct{ Name, Type string }
		Steps                  []struct {
			Name, Kind string
			Steps      []struct{ Name, Kind string }
		}
		Triggers  []map[string]any
		Approvals []struct {
			Step         string
			Approvers    []string
			MinApprovals int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
		t.Fatalf("describe -o json: %v\n%s", err, r)
	}
	if d.Name != "gate" || d.Version != "2.1.0" || len(d.Params) != 3 || len(d.Steps) != 3 || d.Steps[2].Steps[0].Kind != "log" ||
		len(d.Triggers) != 1 || d.Triggers[0]["alarm"] != "queue-*-backlog" ||
		len(d.Approvals) != 1 || d.Approvals[0].MinApprovals != 2 || strings.Join(d.Approvals[0].Approvers, ",") != "group:queue-owners,group:sre" ||
		d.Command != "runbook run testdata/describe/gate.yaml -p Queue=..." {
		t.Errorf("describe -o json: %+v", d)
	}

	r = runIn(t, ".", "describe", "rds-reboot@^1")
	for _, want := range []string{"rds-reboot@1.0.0 (runbook)", "DBInstanceIdentifier  string", "required", "approval (approve)",
		"approval: 1 of group:dba-oncall", "runbook run rds-reboot@1.0.0 -p DBInstanceIdentifier=..."} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("describe rds-reboot@^1 lacks %q: %s", want, r)
		}
	}
	if r = runIn(t, ".", "describe", "rds-rebot"); r.code != 2 || !strings.Contains(r.stderr, `did you mean "rds-reboot"`) {
		t.Errorf("describe of an unknown name: %s", r)
	}
}
