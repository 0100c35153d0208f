package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/runbook-dev/runbook/engine"
)

// planCmd prints the plan a definition lowers to.
type planCmd struct {
	File    string   `arg:"" name:"file" help:"The definition file."`
	Output  string   `short:"o" enum:"json" default:"json" help:"Output format: ${enum}."`
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions that run: and recommend.run may name, besides the built-in library. Repeatable."`
}

// Run validates the file and prints its plan as indented JSON on stdout:
// the workflow's input, with each step's source position. Diagnostics go
// to stderr; on an error there is no plan (exit 1).
func (c *planCmd) Run(e *env) error {
	info, err := os.Stat(c.File)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usagef("%s: no such file", c.File)
	case err != nil:
		return err
	case info.IsDir():
		return usagef("%s is a directory: plan takes one definition file", c.File)
	case engine.IsTestFile(c.File):
		return usagef("%s is a runbook test, not a definition", c.File)
	}
	files, err := collect([]string{c.File})
	if err != nil {
		return err
	}
	catalog, err := loadCatalog(c.Catalog)
	if err != nil {
		return err
	}
	r := engine.Validate(files, options(catalog))
	if err := printText(e.stderr, r.Diags, sources(files, catalog)); err != nil {
		return err
	}
	if r.Diags.HasErrors() {
		fmt.Fprintln(e.stderr, summary(r.Diags, 1, false))
		return errInvalid
	}
	if len(r.Plans) != 1 {
		return fmt.Errorf("%s: validation gave %d plans, want 1", c.File, len(r.Plans))
	}
	return writeJSON(e.stdout, r.Plans[0])
}
