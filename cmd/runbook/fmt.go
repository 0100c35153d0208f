package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// fmtCmd rewrites definition files in their canonical layout.
type fmtCmd struct {
	Paths []string `arg:"" name:"path" sep:"none" help:"Definition files, or directories searched as validate searches them."`
	Check bool     `help:"Change nothing: list the files that are not formatted and fail (exit 1) if there are any, for CI."`
}

// Run formats each file in place and lists those it changed; with
// --check it lists those it would change and fails when there are any.
func (c *fmtCmd) Run(e *env) error {
	files, err := collectSome(c.Paths)
	if err != nil {
		return err
	}
	var changed []string
	failed := false
	for _, f := range files {
		out, err := engine.Format(f.Src, steps.All())
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", f.Path, err)
			failed = true
			continue
		}
		if bytes.Equal(out, f.Src) {
			continue
		}
		changed = append(changed, f.Path)
		fmt.Fprintln(e.stdout, f.Path)
		if !c.Check {
			if err := writeKeepingMode(f.Path, out); err != nil {
				return err
			}
		}
	}
	if c.Check && len(changed) > 0 {
		fmt.Fprintf(e.stderr, "%d of %d files are not formatted: run runbook fmt %s\n", len(changed), len(files), strings.Join(c.Paths, " "))
		failed = true
	}
	if failed {
		return errInvalid
	}
	return nil
}

// writeKeepingMode replaces the content of the file at path, keeping its
// permissions.
func writeKeepingMode(path string, src []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, info.Mode().Perm())
}
