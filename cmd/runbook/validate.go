package main

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine"
)

// validateCmd checks definition files and reports every problem.
type validateCmd struct {
	Paths   []string `arg:"" name:"path" sep:"none" help:"Definition files, or directories searched recursively for *.yaml and *.yml (runbook tests *.test.yaml and hidden directories are skipped)."`
	Format  string   `short:"f" enum:"text,json,github,sarif" default:"text" help:"Output format: ${enum}."`
	Strict  bool     `help:"Fail on warnings too."`
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions that run: and recommend.run may name, besides the files given and the built-in library. Repeatable."`
}

// Run validates the files, prints the diagnostics on stdout and a summary
// on stderr, and fails (exit 1) on any error, or any warning with --strict.
func (c *validateCmd) Run(e *env) error {
	files, err := collectSome(c.Paths)
	if err != nil {
		return err
	}
	catalog, err := loadCatalog(c.Catalog)
	if err != nil {
		return err
	}
	r := engine.Validate(files, options(catalog))
	if err := printDiags(e.stdout, c.Format, r.Diags, sources(files, catalog)); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, summary(r.Diags, len(files), c.Strict))
	if failed(r.Diags, c.Strict) {
		return errInvalid
	}
	return nil
}
