package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/runbook-dev/runbook/engine"
)

// catalogCmd lists the definitions a name can start: the built-in library
// and --catalog folders.
type catalogCmd struct {
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions, besides the built-in library. Repeatable."`
	Output  string   `short:"o" enum:"text,json" default:"text" help:"Output format: ${enum}."`
	Wide    bool     `help:"Whole descriptions and the params, however wide (else each line fits the terminal, or 80 columns)."`
}

// header is what catalog and describe show of every definition.
type header struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Kind        string   `json:"kind"`
	Description string   `json:"description,omitempty"`
	Owner       string   `json:"owner,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Source      string   `json:"source"`
}

// entry is one definition of the catalog.
type entry struct {
	header
	Params   []string `json:"params,omitempty"`
	Triggers []string `json:"triggers,omitempty"` // alarm globs
	Valid    bool     `json:"valid"`
}

// Run prints every definition, by name then version; one that does not
// validate is listed as invalid (runbook validate says why).
func (c *catalogCmd) Run(e *env) error {
	files, err := loadCatalog(c.Catalog)
	if err != nil {
		return err
	}
	r := engine.Validate(files, options(nil))
	valid := map[string]bool{}
	for _, p := range r.Plans {
		valid[p.Source.File] = true
	}
	entries := []entry{}
	for _, d := range r.Defs {
		if d.Kind.Name == engine.KindRouting {
			continue
		}
		en := entry{header: header{Name: d.Name.Name, Version: d.Version.Name, Kind: d.Kind.Name, Description: d.Description,
			Owner: d.Owner, Tags: d.Tags, Source: d.File}, Valid: valid[d.File]}
		for _, p := range d.Params {
			en.Params = append(en.Params, p.Name.Name)
		}
		for _, t := range d.Triggers {
			if t.Alarm != nil {
				en.Triggers = append(en.Triggers, t.Alarm.Str)
			}
		}
		entries = append(entries, en)
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].Name != entries[j].Name {
			return entries[i].Name < entries[j].Name
		}
		a, _ := engine.ParseVersion(entries[i].Version)
		b, _ := engine.ParseVersion(entries[j].Version)
		return a.Less(b)
	})
	if c.Output == "json" {
		return writeJSON(e.stdout, entries)
	}
	return c.table(e, entries)
}

// table prints one line per definition: name, version, kind and the
// first sentence of its description, cut to fit the width; --wide prints
// whole descriptions and the params.
func (c *catalogCmd) table(e *env, entries []entry) error {
	var rows [][]string
	for _, en := range entries {
		desc := firstSentence(en.Description)
		if c.Wide {
			desc = strings.Join(strings.Fields(en.Description), " ")
		}
		if !en.Valid {
			desc = "(invalid: runbook validate " + en.Source + ") " + desc
		}
		row := []string{en.Name, en.Version, strings.ToLower(en.Kind), desc}
		if c.Wide {
			row = append(row, strings.Join(en.Params, ","))
		}
		rows = append(rows, row)
	}
	head := []string{"NAME", "VERSION", "KIND", "DESCRIPTION"}
	if c.Wide {
		head = append(head, "PARAMS")
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, r := range append([][]string{head}, rows...) {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		return tw.Flush()
	}
	return fitColumns(e.stdout, head, rows, terminalWidth(e.stdout), newStyle(e.stdout, e.color).symbol("…", "..."))
}
