package main

import (
	"fmt"
	"os"

	"github.com/runbook-dev/runbook/engine"
)

// validateCmd checks definition files and reports every problem.
type validateCmd struct {
	Paths   []string `arg:"" name:"path" sep:"none" help:"Definition files, or directories searched recursively for *.yaml and *.yml (runbook tests *.test.yaml and hidden directories are skipped)."`
	Output  string   `short:"o" enum:",text,json,github,sarif" default:"" help:"Output format: text, json, github (Actions annotations; the default when GITHUB_ACTIONS=true), sarif."`
	Format  string   `short:"f" hidden:"" enum:",text,json,github,sarif" default:"" help:"Deprecated: -o."`
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
	if err := printDiags(e.stdout, c.format(e), r.Diags, sources(files, catalog)); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, summary(r.Diags, len(files), c.Strict))
	if failed(r.Diags, c.Strict) {
		return errInvalid
	}
	return nil
}

// format is -o, else the deprecated --format, else github annotations
// under GitHub Actions, else text.
func (c *validateCmd) format(e *env) string {
	if c.Format != "" {
		deprecated(e, "--format", "-o")
		if c.Output == "" {
			c.Output = c.Format
		}
	}
	switch {
	case c.Output != "":
		return c.Output
	case os.Getenv("GITHUB_ACTIONS") == "true":
		return "github"
	}
	return "text"
}
