package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// initCmd writes a starter definition and its test file.
type initCmd struct {
	Name     string `arg:"" name:"name" help:"The definition's name, or a path ending in it (runbooks/NAME): writes NAME.yaml and NAME.test.yaml there."`
	Playbook bool   `help:"A diagnostic playbook (nodes that branch and conclude) instead of a runbook."`
}

// Run writes NAME.yaml and NAME.test.yaml, refusing (exit 2) when either
// exists: it overwrites nothing.
func (c *initCmd) Run(e *env) error {
	dir, name := filepath.Split(c.Name)
	def, test := starterRunbook, starterRunbookTest
	if c.Playbook {
		def, test = starterPlaybook, starterPlaybookTest
	}
	files := []struct{ path, src string }{
		{filepath.Join(dir, name+".yaml"), strings.ReplaceAll(def, "NAME", name)},
		{filepath.Join(dir, name+".test.yaml"), strings.ReplaceAll(test, "NAME", name)},
	}
	// The engine's own rule decides whether name is a definition name.
	if r := engine.Validate([]engine.File{{Path: files[0].path, Src: []byte(files[0].src)}}, options(builtin())); r.Diags.HasErrors() {
		return usagef("%q is not a definition name: use lowercase letters, digits and -, starting with a letter", name)
	}
	if err := os.MkdirAll(filepath.Clean(dir+"."), 0o755); err != nil {
		return usagef("%v", err)
	}
	for _, f := range files {
		if _, err := os.Stat(f.path); !errors.Is(err, fs.ErrNotExist) {
			return usagef("%s already exists: runbook init overwrites nothing", f.path)
		}
	}
	for _, f := range files {
		fl, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return usagef("%v", err)
		}
		_, err = fl.WriteString(f.src)
		if cerr := fl.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, f.path)
	}
	fmt.Fprintf(e.stderr, "next: runbook validate %s && runbook test %s\n", files[0].path, files[0].path)
	return nil
}
