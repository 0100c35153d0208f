package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// doneCmd marks a manual step done.
type doneCmd struct {
	actArgs `embed:""`
	Note    string   `placeholder:"TEXT" help:"What you did; recorded with the step (its output note)."`
	Check   []string `placeholder:"ITEM" sep:"none" help:"A checklist item you confirm, as shown (repeat for each): the step is done only when every item is confirmed."`
	All     bool     `name:"all-checked" help:"Confirm every checklist item the step shows."`
}

// Run marks the step done.
func (c *doneCmd) Run(e *env) error {
	d := engine.Decision{Comment: c.Note, Checked: c.Check}
	var f fill
	if c.All {
		f = func(d *engine.Decision, shown *engine.Approval) error {
			if shown == nil {
				return nil // the workflow says why nothing waits
			}
			for _, item := range shown.Checklist {
				if !slices.Contains(d.Checked, item) {
					d.Checked = append(d.Checked, item)
				}
			}
			return nil
		}
	}
	return c.act(e, engine.UpdateDone, d, f)
}

// answerCmd answers an ask step's question.
type answerCmd struct {
	actArgs `embed:""`
	Field   []string `short:"f" placeholder:"FIELD=VALUE" sep:"none" help:"A field's answer (repeat for each): typed by the field's declaration; a bad answer is refused with every problem."`
}

// Run sends the answer.
func (c *answerCmd) Run(e *env) error {
	answer := map[string]any{}
	for _, kv := range c.Field {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usagef("-f %s: write -f FIELD=VALUE", kv)
		}
		if _, dup := answer[k]; dup {
			return usagef("-f %s: field %s is given twice", kv, k)
		}
		answer[k] = v
	}
	return c.act(e, engine.UpdateAnswer, engine.Decision{Answer: answer}, nil)
}

// describeFields says what an ask step's fields take, one a line.
func describeFields(fields []*engine.PlanParam) string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "  %s (%s", f.Name, f.Type)
		if len(f.Enum) > 0 {
			fmt.Fprintf(&b, ": one of %v", f.Enum)
		}
		if f.Default != nil {
			fmt.Fprintf(&b, ", default %v", f.Default)
		}
		b.WriteString(")")
		if f.Description != "" {
			b.WriteString(" " + f.Description)
		}
		b.WriteString("\n")
	}
	return b.String()
}
