package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInit writes each starter with the binary and checks that it
// validates, passes runbook test, is formatted, and that init overwrites
// nothing.
func TestInit(t *testing.T) {
	for _, tt := range []struct {
		args []string
		kind string
	}{
		{[]string{"init", "disk-cleanup"}, "kind: Runbook"},
		{[]string{"init", "--playbook", "triage/disk-full"}, "kind: Playbook"},
	} {
		dir := t.TempDir()
		path := tt.args[len(tt.args)-1]
		if r := runIn(t, dir, tt.args...); r.code != 0 || r.stdout != path+".yaml\n"+path+".test.yaml\n" {
			t.Fatalf("runbook %s: %s", strings.Join(tt.args, " "), r.stdout+r.stderr)
		}
		def := path + ".yaml"
		src, _ := os.ReadFile(filepath.Join(dir, def))
		if !strings.Contains(string(src), tt.kind) || !strings.Contains(string(src), "name: "+filepath.Base(path)+"\n") {
			t.Errorf("%s:\n%s\nwant %s named %s", def, src, tt.kind, filepath.Base(path))
		}
		for _, check := range [][]string{{"validate", "--strict", def}, {"test", def}, {"fmt", "--check", def}} {
			if r := runIn(t, dir, check...); r.code != 0 {
				t.Errorf("runbook %s: exit %d\n%s%s", strings.Join(check, " "), r.code, r.stdout, r.stderr)
			}
		}
		if r := runIn(t, dir, "test", def); !strings.Contains(r.stdout, "PASS") {
			t.Errorf("runbook test %s ran no case:\n%s", def, r.stdout)
		}
	}

	// Refusals: an existing definition or test file, a bad name.
	dir := workdir(t, map[string]string{"taken.test.yaml": "mine\n", "used.yaml": "mine too\n"})
	for _, args := range [][]string{{"init", "taken"}, {"init", "used"}, {"init", "Bad_Name"}, {"init", "a@1.0.0"}} {
		if r := runIn(t, dir, args...); r.code != 2 {
			t.Errorf("runbook %s: exit %d, want 2\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	for name, want := range map[string]string{"taken.test.yaml": "mine\n", "used.yaml": "mine too\n"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s is now %q", name, got)
		}
	}
	for _, name := range []string{"taken.yaml", "used.test.yaml", "Bad_Name.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was written by a refused init", name)
		}
	}
}
