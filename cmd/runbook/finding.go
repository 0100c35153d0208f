package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/runbook-dev/runbook/engine"
)

// printFinding prints a playbook's finding: severity and node, the
// conditions that routed there with the values they saw, the path, and
// the recommendation (the command that launches it, or the execution
// launched).
func printFinding(w io.Writer, o *engine.Outcome) {
	if o.Finding != nil {
		o.Finding.Text(w, o.Path, true)
	}
}

// printDryRun prints what a dry run did not let act.
func printDryRun(w io.Writer, o *engine.Outcome) {
	if len(o.DryRun) == 0 {
		return
	}
	fmt.Fprintln(w, "dry run: these steps would have acted:")
	for _, d := range o.DryRun {
		in, _ := json.Marshal(d.Input)
		fmt.Fprintf(w, "  %s (%s %s) %s\n    input: %s\n", d.Step, d.Kind, d.Op, d.Note, in)
	}
}
