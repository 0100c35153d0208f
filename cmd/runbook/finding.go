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
	f := o.Finding
	if f == nil {
		return
	}
	fmt.Fprintf(w, "finding (%s, node %s): %s\n", f.Severity, f.Node, f.Finding)
	for _, e := range f.Evidence {
		line := fmt.Sprintf("  because at %s: %s is %v", e.Node, e.Condition, e.Result)
		if len(e.Values) > 0 {
			line += " (" + kv(e.Values) + ")"
		}
		fmt.Fprintln(w, line)
	}
	if len(o.Path) > 0 {
		fmt.Fprintf(w, "  path: %s\n", joinPath(o.Path))
	}
	r := f.Recommend
	switch {
	case r == nil:
	case r.Execution != "":
		fmt.Fprintf(w, "recommended %s launched: runbook watch %s\n", r.Run, r.Execution)
	case r.Error != "":
		fmt.Fprintf(w, "recommended %s not launched: %s\n  %s\n", r.Run, r.Error, r.Command)
	default:
		fmt.Fprintf(w, "recommended: %s\n", r.Command)
	}
}

func joinPath(p []string) string {
	s := ""
	for i, n := range p {
		if i > 0 {
			s += " → "
		}
		s += n
	}
	return s
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
