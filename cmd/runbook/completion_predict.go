package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// executionTimeout bounds how long completing execution IDs waits for
// Temporal: a shell that waits longer feels broken.
const executionTimeout = 2 * time.Second

// valueFlags are the names (--name, -s) of every flag of the grammar
// that takes a value, to tell a flag's value from an argument.
func valueFlags(n *kong.Node) map[string]bool {
	out := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			if f.Value.IsBool() {
				continue
			}
			out["--"+f.Name] = true
			if f.Short != 0 {
				out["-"+string(f.Short)] = true
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}

// flagValues are the values given to flag in the words typed (--flag V
// or --flag=V).
func flagValues(words []string, values map[string]bool, flag string) []string {
	var out []string
	for i, w := range words {
		if v, ok := strings.CutPrefix(w, flag+"="); ok {
			out = append(out, v)
		} else if w == flag && i+1 < len(words) && values[flag] {
			out = append(out, words[i+1])
		}
	}
	return out
}

// arguments are the words typed that are neither flags nor their values.
func arguments(words []string, values map[string]bool) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case values[w]:
			i++ // its value
		case strings.HasPrefix(w, "-"):
		default:
			out = append(out, w)
		}
	}
	return out
}

// catalogDefs loads (without validating) the definitions of the built-in
// library and the --catalog folders; unreadable ones are left out.
func catalogDefs(dirs []string) []*engine.Definition {
	var files []engine.File
	for _, d := range dirs {
		if more, err := collect([]string{d}); err == nil {
			files = append(files, more...)
		}
	}
	var out []*engine.Definition
	for _, f := range append(files, builtin()...) {
		if d, _ := engine.Load(f.Path, f.Src, steps.All()); d != nil && d.Name.Name != "" && d.Kind.Name != engine.KindRouting {
			out = append(out, d)
		}
	}
	return out
}

// definitionNames are the names a run can start, sorted, each once.
func definitionNames(dirs []string) []string {
	var out []string
	for _, d := range catalogDefs(dirs) {
		out = append(out, d.Name.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// paramNames are NAME= for each param of the definition being run: the
// file or NAME[@VERSION] typed after the command (run, start). It offers
// every version's params when NAME has several.
func paramNames(a complete.Args, values map[string]bool) []string {
	args := arguments(a.Completed, values) // the words after the command
	if len(args) == 0 {
		return nil
	}
	target := args[0]
	var defs []*engine.Definition
	if src, err := os.ReadFile(target); err == nil {
		if d, _ := engine.Load(target, src, steps.All()); d != nil {
			defs = append(defs, d)
		}
	} else {
		ref, err := engine.ParseRef(target)
		if err != nil {
			return nil
		}
		for _, d := range catalogDefs(flagValues(a.All, values, "--catalog")) {
			if d.Name.Name == ref.Name {
				defs = append(defs, d)
			}
		}
	}
	var out []string
	for _, d := range defs {
		for _, p := range d.Params {
			out = append(out, p.Name.Name+"=")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// executionIDs are the IDs of the newest executions on the Temporal
// server the line names (--address, --namespace, else as list finds it),
// or none when it does not answer within executionTimeout.
func executionIDs(a complete.Args, values map[string]bool) []string {
	ctx, cancel := context.WithTimeout(context.Background(), executionTimeout)
	defer cancel()
	c := conn{Address: os.Getenv("TEMPORAL_ADDRESS"), Namespace: os.Getenv("TEMPORAL_NAMESPACE")}
	if v := flagValues(a.All, values, "--address"); len(v) > 0 {
		c.Address = v[len(v)-1]
	}
	if v := flagValues(a.All, values, "--namespace"); len(v) > 0 {
		c.Namespace = v[len(v)-1]
	}
	if v := flagValues(a.All, values, "--state-dir"); len(v) > 0 {
		c.StateDir = v[len(v)-1]
	}
	s, err := c.connect(ctx, false)
	if err != nil {
		return nil
	}
	defer s.close()
	resp, err := s.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 50})
	if err != nil {
		return nil
	}
	var out []string
	for _, x := range resp.Executions {
		out = append(out, x.Execution.WorkflowId)
	}
	return out
}
