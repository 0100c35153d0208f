package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/runbook-dev/runbook/engine/ssm"
	"github.com/runbook-dev/runbook/steps"
)

// importCmd translates other tools' runbooks into definitions.
type importCmd struct {
	SSM importSSMCmd `cmd:"" name:"ssm" help:"Translate SSM Automation documents (schemaVersion 0.3, JSON or YAML) into runbooks; only those that validate are written."`
}

// importSSMCmd is `runbook import ssm FILE|DIR... [--out-dir DIR] [-o text|json]`.
type importSSMCmd struct {
	Paths  []string `arg:"" name:"path" sep:"none" help:"SSM Automation documents (*.json, *.yaml, *.yml), or directories of them."`
	Out    string   `name:"out-dir" short:"d" placeholder:"DIR" default:"." help:"Where to write NAME.yaml (default: the current directory)."`
	Output string   `short:"o" placeholder:"FORMAT" default:"text" help:"Output format of the summary: text, json (one object per document). -o DIR, for --out-dir, is deprecated."`
	Force  bool     `help:"Overwrite runbooks already in the output directory (else nothing is written when one is there)."`
	// Resumers approve the steps translated from aws:pause.
	Resumers []string `name:"resumers" placeholder:"PRINCIPAL" help:"Who resumes (approves) a step translated from aws:pause: user:NAME or group:NAME; repeat the flag or separate with commas (default: group:ssm-resumers)."`
}

// Run imports every document, writes the runbooks that validate, prints
// each other document's problems on stderr and the summary table on
// stdout, and fails (exit 1) when any document was not imported.
func (c *importSSMCmd) Run(e *env) error {
	switch c.Output {
	case "text", "json":
	default: // the old -o DIR
		deprecated(e, "import ssm -o DIR", "--out-dir DIR")
		c.Out, c.Output = c.Output, "text"
	}
	if err := ssm.CheckResumers(c.Resumers); err != nil {
		return usagef("--resumers: %v", err)
	}
	docs, err := collectDocs(c.Paths)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return usagef("no documents (*.json, *.yaml, *.yml) in %s", strings.Join(c.Paths, ", "))
	}
	opts := ssm.Options{Services: steps.AWS(), Resumers: c.Resumers}
	var outcomes []*ssm.Outcome
	for _, p := range docs {
		src, err := os.ReadFile(p)
		if err != nil {
			return usagef("%v", err)
		}
		outcomes = append(outcomes, ssm.ImportAndValidate(p, src, opts, options(nil)))
	}
	if err := c.write(e, docs, outcomes); err != nil {
		return err
	}
	s := ssm.Summarize(outcomes)
	if c.Output == "json" {
		if err := writeJSON(e.stdout, c.report(docs, outcomes)); err != nil {
			return err
		}
	} else {
		s.WriteTable(e.stdout)
	}
	if s.Valid < len(outcomes) {
		return errNotImported
	}
	return nil
}

// write writes the runbooks that validate, NAME.yaml in the output
// directory, and reports the others. It overwrites nothing unless
// --force: when a runbook is already there, or two documents give the
// same name, it writes none.
func (c *importSSMCmd) write(e *env, docs []string, outcomes []*ssm.Outcome) error {
	from := map[string]string{}
	for i, o := range outcomes {
		if !o.Valid() {
			continue
		}
		path := filepath.Join(c.Out, o.Result.Name+".yaml")
		if prev, ok := from[path]; ok {
			return fmt.Errorf("%s and %s both import as %s: import them into different directories", prev, docs[i], path)
		}
		from[path] = docs[i]
		if _, err := os.Stat(path); err == nil && !c.Force {
			return fmt.Errorf("%s exists: --force overwrites it (nothing was written)", path)
		}
	}
	for i, o := range outcomes {
		switch p := docs[i]; {
		case o.Valid():
			if err := os.MkdirAll(c.Out, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(c.Out, o.Result.Name+".yaml"), o.Result.YAML, 0o644); err != nil {
				return err
			}
			for _, n := range o.Result.Notes {
				fmt.Fprintf(e.stderr, "%s: imported, leaving out %s\n", p, n)
			}
		case o.Err != nil:
			fmt.Fprintf(e.stderr, "%s: %v\n", p, o.Err)
		default:
			fmt.Fprintf(e.stderr, "%s: the translation does not validate:\n  %s\n", p, strings.Join(o.Invalid, "\n  "))
		}
	}
	return nil
}

// imported is one document in import ssm -o json.
type imported struct {
	Document string   `json:"document"`
	Runbook  string   `json:"runbook,omitempty"` // the file written
	Valid    bool     `json:"valid"`
	Reasons  []string `json:"reasons,omitempty"` // why it was not imported
	Invalid  []string `json:"invalid,omitempty"` // the runbook's validation errors
	Notes    []string `json:"notes,omitempty"`   // what the runbook leaves out
}

// report is each document's outcome, for -o json.
func (c *importSSMCmd) report(docs []string, outcomes []*ssm.Outcome) []imported {
	out := make([]imported, 0, len(docs))
	for i, o := range outcomes {
		r := imported{Document: docs[i], Valid: o.Valid(), Reasons: o.Reasons, Invalid: o.Invalid, Notes: o.Notes}
		if r.Valid {
			r.Runbook = filepath.Join(c.Out, o.Result.Name+".yaml")
			r.Reasons = nil
		}
		out = append(out, r)
	}
	return out
}

// errNotImported reports documents that were not imported (their
// problems are printed).
var errNotImported = errors.New("some documents were not imported")

// collectDocs lists the documents at paths: files as given, directories
// searched recursively for *.json, *.yaml and *.yml.
func collectDocs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, usagef("%v", err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch filepath.Ext(path) {
			case ".json", ".yaml", ".yml":
				if !d.IsDir() {
					out = append(out, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
