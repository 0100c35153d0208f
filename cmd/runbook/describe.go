package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// describeCmd shows one definition.
type describeCmd struct {
	Target  string   `arg:"" name:"file|name" help:"A definition file, or NAME[@VERSION-OR-RANGE] from the built-in library and --catalog."`
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions, besides the built-in library. Repeatable."`
	Output  string   `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
}

// description is what describe shows of a definition.
type description struct {
	header
	Params    []*engine.PlanParam `json:"params"`
	Steps     []describedStep     `json:"steps"`
	Finally   []describedStep     `json:"finally,omitempty"`
	Triggers  []map[string]any    `json:"triggers,omitempty"`
	Approvals []approval          `json:"approvals,omitempty"`
	Command   string              `json:"command"`
}

// describedStep is a step's name and kind, with its nested steps.
type describedStep struct {
	Name  string          `json:"name"`
	Kind  string          `json:"kind"`
	Steps []describedStep `json:"steps,omitempty"`
}

// approval is an approve step: who approves, how many.
type approval struct {
	Step         string `json:"step"`
	Approvers    any    `json:"approvers"`
	MinApprovals any    `json:"minApprovals"`
}

// Run resolves the definition as run does and prints it.
func (c *describeCmd) Run(e *env) error {
	p, _, err := resolve(e, c.Target, c.Catalog)
	if err != nil {
		return err
	}
	ref := p.Name + "@" + p.Version
	if _, err := os.Stat(c.Target); err == nil {
		ref = c.Target // a file runs by its path
	}
	d := describe(p, ref)
	if c.Output == "json" {
		return writeJSON(e.stdout, d)
	}
	return d.text(e)
}

// describe gathers what describe shows of plan p, run as ref (its file,
// or NAME@VERSION).
func describe(p *engine.Plan, ref string) *description {
	d := &description{header: header{Name: p.Name, Version: p.Version, Kind: strings.ToLower(p.Kind), Description: p.Description,
		Owner: p.Owner, Tags: p.Tags, Source: p.Source.File}, Params: p.Params, Steps: stepsOf(p.Steps), Finally: stepsOf(p.Finally)}
	if d.Params == nil {
		d.Params = []*engine.PlanParam{}
	}
	for _, t := range p.Triggers {
		m := map[string]any{}
		for k, v := range map[string]*engine.Value{"alarm": t.Alarm, "state": t.State, "account": t.Account, "region": t.Region, "cooldown": t.Cooldown} {
			if v != nil {
				m[k] = v.Data()
			}
		}
		d.Triggers = append(d.Triggers, m)
	}
	walkSteps(append(append([]*engine.PlanStep{}, p.Steps...), p.Finally...), func(s *engine.PlanStep) {
		if s.Kind == "approve" {
			a := approval{Step: s.Name, Approvers: s.Arg("approvers").Data(), MinApprovals: int64(1)}
			if m := s.Arg("minApprovals"); m != nil {
				a.MinApprovals = m.Data()
			}
			d.Approvals = append(d.Approvals, a)
		}
	})
	d.Command = "runbook run " + ref
	for _, pp := range p.Params {
		if pp.Required {
			d.Command += " -p " + pp.Name + "=..."
		}
	}
	return d
}

// stepsOf lists steps by name and kind, nested steps under theirs.
func stepsOf(ps []*engine.PlanStep) []describedStep {
	out := []describedStep{}
	for _, s := range ps {
		kind := s.Kind
		if kind == "" {
			kind = "branch"
		}
		ds := describedStep{Name: s.Name, Kind: kind}
		if len(s.Steps) > 0 {
			ds.Steps = stepsOf(s.Steps)
		}
		out = append(out, ds)
	}
	return out
}

// walkSteps calls f on each step and, depth first, its nested steps.
func walkSteps(ps []*engine.PlanStep, f func(*engine.PlanStep)) {
	for _, s := range ps {
		f(s)
		walkSteps(s.Steps, f)
	}
}

// text prints the description for people.
func (d *description) text(e *env) error {
	w := e.stdout
	fmt.Fprintf(w, "%s@%s (%s) in %s\n", d.Name, d.Version, d.Kind, d.Source)
	for _, l := range wrap(strings.Join(strings.Fields(d.Description), " "), 78) {
		fmt.Fprintf(w, "  %s\n", l)
	}
	if d.Owner != "" || len(d.Tags) > 0 {
		fmt.Fprintf(w, "  owner: %s; tags: %s\n", or(d.Owner, "-"), or(strings.Join(d.Tags, ", "), "-"))
	}
	fmt.Fprintln(w, "\nParams:")
	if len(d.Params) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	nameW, typeW := 0, 0
	for _, pp := range d.Params {
		nameW, typeW = max(nameW, len(pp.Name)), max(typeW, len(paramType(pp)))
	}
	for _, pp := range d.Params {
		fmt.Fprintf(w, "  %-*s  %-*s  %s\n", nameW, pp.Name, typeW, paramType(pp), paramDefault(pp))
		for _, l := range wrap(strings.Join(strings.Fields(pp.Description), " "), 74) {
			fmt.Fprintf(w, "      %s\n", l)
		}
	}
	fmt.Fprintln(w, "\nSteps:")
	printSteps(e, d.Steps, "  ")
	if len(d.Finally) > 0 {
		fmt.Fprintln(w, "\nFinally:")
		printSteps(e, d.Finally, "  ")
	}
	if len(d.Triggers) > 0 {
		fmt.Fprintln(w, "\nTriggers:")
		for _, t := range d.Triggers {
			fmt.Fprintf(w, "  %s\n", engine.Pairs(t))
		}
	}
	if len(d.Approvals) > 0 {
		fmt.Fprintln(w, "\nApprovals:")
		for _, a := range d.Approvals {
			fmt.Fprintf(w, "  %s: %v of %s\n", a.Step, a.MinApprovals, principals(a.Approvers))
		}
	}
	_, err := fmt.Fprintf(w, "\nRun it:\n  %s\n", d.Command)
	return err
}

// printSteps prints steps as "name (kind)", nested steps indented.
func printSteps(e *env, steps []describedStep, indent string) {
	for _, s := range steps {
		fmt.Fprintf(e.stdout, "%s%s (%s)\n", indent, s.Name, s.Kind)
		printSteps(e, s.Steps, indent+"  ")
	}
}

// paramType is a param's type, list items included: list(string).
func paramType(p *engine.PlanParam) string {
	t := p.Type
	if p.Items != "" {
		t += "(" + p.Items + ")"
	}
	if p.Secret {
		t += ", secret"
	}
	return t
}

// paramDefault says whether a param is required, or its default.
func paramDefault(p *engine.PlanParam) string {
	switch {
	case p.Required:
		return "required"
	case p.Default == nil:
		return "optional"
	}
	return "default " + strings.TrimPrefix(engine.Pairs(map[string]any{"": p.Default}), "=")
}

// principals lists approvers: user:a, group:b.
func principals(v any) string {
	list, ok := v.([]any)
	if !ok {
		return fmt.Sprint(v)
	}
	var out []string
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return strings.Join(out, ", ")
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
