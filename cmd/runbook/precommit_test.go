package main

import (
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// hook is an entry of .pre-commit-hooks.yaml.
type hook struct {
	ID            string   `yaml:"id"`
	Entry         string   `yaml:"entry"`
	Language      string   `yaml:"language"`
	Files         string   `yaml:"files"`
	Exclude       string   `yaml:"exclude"`
	Args          []string `yaml:"args"`
	PassFilenames *bool    `yaml:"pass_filenames"`
}

// hookFiles are the files under root that pre-commit would pass to h
// (files matched, exclude not), relative to root.
func hookFiles(t *testing.T, root string, h hook) []string {
	t.Helper()
	files, exclude := regexp.MustCompile(h.Files), regexp.MustCompile("^$")
	if h.Exclude != "" {
		exclude = regexp.MustCompile(h.Exclude)
	}
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return skipDir(err)
		}
		rel, _ := filepath.Rel(root, p)
		if !d.IsDir() && files.MatchString(rel) && !exclude.MatchString(rel) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func skipDir(err error) error {
	if err != nil {
		return err
	}
	return filepath.SkipDir
}

// runHook runs a hook's entry as pre-commit would, with the real binary
// in place of runbook, in root; it returns the exit code and output.
func runHook(t *testing.T, root string, h hook) (int, string) {
	t.Helper()
	entry := strings.Fields(h.Entry)
	args := append(entry[1:], h.Args...)
	if h.PassFilenames == nil || *h.PassFilenames {
		args = append(args, hookFiles(t, root, h)...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestPreCommitHooks reads .pre-commit-hooks.yaml and runs each hook's
// entry with the binary on the repository's library as pre-commit would;
// then the validate hook on a broken definition, which it must refuse.
func TestPreCommitHooks(t *testing.T) {
	src, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []hook
	if err := yaml.Unmarshal(src, &hooks); err != nil {
		t.Fatal(err)
	}
	ids := map[string]hook{}
	for _, h := range hooks {
		ids[h.ID] = h
		if h.Language != "golang" || !strings.HasPrefix(h.Entry, "runbook ") {
			t.Errorf("hook %s: language %q, entry %q; want golang and runbook ...", h.ID, h.Language, h.Entry)
		}
		if code, out := runHook(t, "../..", h); code != 0 {
			t.Errorf("hook %s on the repository: exit %d\n%s", h.ID, code, out)
		}
	}
	v, ok := ids["runbook-validate"]
	if _, test := ids["runbook-test"]; !ok || !test {
		t.Fatalf("hooks %v; want runbook-validate and runbook-test", slices.Collect(maps.Keys(ids)))
	}
	got := hookFiles(t, "../..", v)
	for _, want := range []string{"runbooks/ec2-restart.yaml", "playbooks/ec2-status-check.yaml"} {
		if !slices.Contains(got, want) {
			t.Errorf("runbook-validate is not given %s (given %v)", want, got)
		}
	}
	for _, f := range got {
		if strings.HasSuffix(f, ".test.yaml") {
			t.Errorf("runbook-validate is given the test file %s", f)
		}
	}
	dir := workdir(t, map[string]string{"runbooks/broken.yaml": invalid, "runbooks/ok.yaml": valid})
	if code, out := runHook(t, dir, v); code != 1 || !strings.Contains(out, "broken.yaml:7:5") {
		t.Errorf("runbook-validate on a broken definition: exit %d, want 1 and the error at 7:5\n%s", code, out)
	}
}
