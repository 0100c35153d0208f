package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
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
	// The description column wraps: compare the words.
	if r = runIn(t, dir, "catalog", "--catalog", "lib"); r.code != 0 || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "(invalid: runbook validate lib/bad.yaml)") {
		t.Errorf("catalog text: %s", r)
	}
}

// TestCatalogWidth: catalog fits 80 columns when not on a terminal (the
// first sentence of each description, wrapped); --wide prints whole
// descriptions and the params, however wide.
func TestCatalogWidth(t *testing.T) {
	r := runIn(t, ".", "catalog")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "NAME ") {
		t.Fatal(r)
	}
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
	if !strings.Contains(r.stdout, "\nrds-reboot ") || strings.Contains(r.stdout, "PARAMS") {
		t.Errorf("catalog:\n%s", r.stdout)
	}
	r = runIn(t, ".", "catalog", "--wide")
	if r.code != 0 || !strings.Contains(r.stdout, "PARAMS") || !strings.Contains(r.stdout, "which keeps the outage to the DNS switch") {
		t.Errorf("catalog --wide:\n%s", r.stdout)
	}
}
