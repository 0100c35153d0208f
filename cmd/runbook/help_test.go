package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestHelpGroups: --help lists the commands in groups, in order, each
// command under its own; every command's --help shows examples.
func TestHelpGroups(t *testing.T) {
	r := runIn(t, ".", "--help")
	if r.code != 0 {
		t.Fatal(r)
	}
	var at []int
	for _, g := range []string{"\nRun:\n", "\nInspect:\n", "\nApprove:\n", "\nServe:\n", "\nAuthor:\n", "\nOther:\n"} {
		at = append(at, strings.Index(r.stdout, g))
	}
	if !sort.IntsAreSorted(at) || at[0] < 0 {
		t.Fatalf("groups missing or out of order (%v):\n%s", at, r.stdout)
	}
	if strings.Contains(r.stdout, "\nCommands:\n") {
		t.Errorf("a command is in no group:\n%s", r.stdout)
	}
	section := func(cmd string) string { // the group heading above cmd
		i := strings.Index(r.stdout, "\n  "+cmd+" ")
		if i < 0 {
			t.Fatalf("%s not listed:\n%s", cmd, r.stdout)
		}
		heads := regexp.MustCompile(`\n([A-Z][a-z]+):\n`).FindAllStringSubmatchIndex(r.stdout[:i+1], -1)
		last := heads[len(heads)-1]
		return r.stdout[last[2]:last[3]]
	}
	for cmd, h := range commandHelp {
		if got := section(cmd); got+":" != h.group.Title {
			t.Errorf("%s is under %s, want %s", cmd, got, h.group.Title)
		}
		args := append(strings.Fields(cmd), "--help")
		if r := runIn(t, ".", args...); r.code != 0 || !strings.Contains(r.stdout, "Examples:\n\n    runbook "+strings.Fields(cmd)[0]) {
			t.Errorf("runbook %s --help has no examples:\n%s", cmd, r.stdout)
		}
	}
}

// TestVersion: version names the version and commit make build stamps
// (-X main.version, -X main.commit), and in a clone the commit the go
// command stamps by itself (it stamps none in a git worktree).
func TestVersion(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	want := "commit " + string(head[:12])
	stamped := filepath.Join(t.TempDir(), "runbook")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7-test -X main.commit="+strings.TrimSpace(string(head)), "-o", stamped, ".")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(stamped, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "runbook v9.8.7-test ("+want) {
		t.Errorf("stamped version: %q, %v; want %q", out, err, want)
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err != nil || !fi.IsDir() {
		t.Skipf("a git worktree: the go command stamps no commit (%v)", err)
	}
	// The go command stamps a pseudo-version (v0.0.0-DATE-COMMIT) and the
	// commit; TestMain built the binary at HEAD.
	if r := runIn(t, ".", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "runbook ") || !strings.Contains(r.stdout, "("+want) {
		t.Errorf("version: %s\nwant %q", r, want)
	}
}
