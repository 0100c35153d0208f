package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCatalogCommand: the built-in library is listed; --catalog adds a
// folder's definitions, versions in order, an invalid one flagged.
func TestCatalogCommand(t *testing.T) {
	dir := workdir(t, map[string]string{
		"lib/a1.yaml":  strings.Replace(valid, "version: 1.0.0", "version: 1.10.0", 1),
		"lib/a2.yaml":  strings.Replace(valid, "version: 1.0.0", "version: 1.2.0", 1),
		"lib/bad.yaml": strings.Replace(invalid, "name: demo", "name: broken", 1),
	})
	r := runIn(t, dir, "catalog", "--catalog", "lib", "-o", "json")
	var entries []struct {
		Name, Version, Kind string
		Valid               bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || r.code != 0 {
		t.Fatalf("catalog -o json: %v\n%s", err, r)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name+"@"+e.Version+map[bool]string{true: "", false: "!"}[e.Valid])
	}
	joined := strings.Join(got, " ")
	for _, want := range []string{"demo@1.2.0 demo@1.10.0", "broken@1.0.0!", "ec2-restart@1.0.0", "ec2-status-check@1.0.0"} {
		if !strings.Contains(joined, want) {
			t.Errorf("catalog %s: want %s", joined, want)
		}
	}
	if r = runIn(t, dir, "catalog", "--catalog", "lib"); r.code != 0 || !strings.Contains(r.stdout, "(invalid: runbook validate lib/bad.yaml)") {
		t.Errorf("catalog text: %s", r)
	}
}
