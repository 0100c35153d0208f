package engine

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
)

// checker checks definitions against each other and a catalog.
type checker struct {
	opts Options
	// byName holds every definition a reference may name: the validated
	// ones and the catalog, each name's versions in ascending order.
	byName map[string][]*Definition
	// all holds every definition, duplicates included.
	all []*Definition
	// checked memoizes check: a definition is checked once, whether it is
	// validated or the child of one.
	checked map[*Definition]Diagnostics
}

func newChecker(opts Options, defs, catalog []*Definition) *checker {
	c := &checker{opts: opts, byName: map[string][]*Definition{}, checked: map[*Definition]Diagnostics{}}
	c.all = append(append([]*Definition{}, defs...), catalog...)
	for _, d := range c.all {
		if d.Name.Name == "" || d.Kind.Name == KindRouting {
			continue
		}
		if _, err := ParseVersion(d.Version.Name); err != nil {
			continue
		}
		dup := false
		for _, o := range c.byName[d.Name.Name] {
			if o.Version.Name == d.Version.Name {
				dup = true
			}
		}
		if !dup {
			c.byName[d.Name.Name] = append(c.byName[d.Name.Name], d)
		}
	}
	for _, list := range c.byName {
		sort.Slice(list, func(i, j int) bool {
			a, _ := ParseVersion(list[i].Version.Name)
			b, _ := ParseVersion(list[j].Version.Name)
			return a.Less(b)
		})
	}
	return c
}

// defCheck is the state of checking one definition.
type defCheck struct {
	*checker
	d     *Definition
	ds    Diagnostics
	steps map[string]*Step // every step by name, nested and finally included
	// params is the shape of `params`.
	params *Shape
	// used records params and step outputs that expressions read.
	used map[string]bool
	// main and fin are the scopes of the steps and the finally steps.
	main, fin *scope
	// exprShapes holds the checked shape of each template expression.
	exprShapes map[*Expr]*Shape
	// results holds the shape of `result` of run steps: the child's outputs.
	results map[*Step]*Shape
	// stepShapes and goTypes cache the shapes of checked steps and the Go
	// types synthesized for expr.
	stepShapes map[*Step]*Shape
	goTypes    map[*Shape]reflect.Type
	envs       map[string]*exprEnv
}

// check returns every diagnostic about d, checking it once.
func (c *checker) check(d *Definition) Diagnostics {
	if ds, ok := c.checked[d]; ok {
		return ds
	}
	c.checked[d] = nil // a reference back to d while it is checked is a cycle, reported there
	ds := c.checkDef(d)
	c.checked[d] = ds
	return ds
}

func (c *checker) checkDef(d *Definition) Diagnostics {
	dc := &defCheck{checker: c, d: d, steps: map[string]*Step{}, used: map[string]bool{}, exprShapes: map[*Expr]*Shape{}, results: map[*Step]*Shape{}, stepShapes: map[*Step]*Shape{}, goTypes: map[*Shape]reflect.Type{}, envs: map[string]*exprEnv{}}
	dc.header()
	dc.duplicate()
	if d.Kind.Name == KindRouting {
		dc.routing()
		return dc.ds
	}
	dc.paramsCheck()
	dc.names(d.Steps)
	dc.names(d.Finally)
	dc.flow()
	dc.exprs()
	dc.notifyCheck()
	dc.unused()
	return dc.ds
}

func (dc *defCheck) header() {
	d := dc.d
	if d.Name.Name == "" {
		dc.ds.Errorf(d.Pos, "missing name").Hint = "add `name: my-runbook` (lowercase letters, digits and -)"
	} else if !defNameRE.MatchString(d.Name.Name) {
		dc.ds.Errorf(d.Name.Pos, "name %q must match ^[a-z][a-z0-9-]*$", d.Name.Name).Hint = "use lowercase letters, digits and -, starting with a letter"
	}
	if d.Version.Name == "" && d.Kind.Name != KindRouting {
		dc.ds.Errorf(d.Pos, "missing version").Hint = "add `version: 1.0.0` (semver MAJOR.MINOR.PATCH)"
	} else if d.Version.Name != "" {
		if _, err := ParseVersion(d.Version.Name); err != nil {
			dc.ds.Errorf(d.Version.Pos, "%v", err)
		}
	}
	if q := d.TaskQueue; q.Name != "" && !taskQueueRE.MatchString(q.Name) {
		dc.ds.Errorf(q.Pos, "taskQueue %q must match %s", q.Name, taskQueueRE).Hint = "name the worker pool's queue with letters, digits, '.', '_' and '-', as its workers' --task-queue"
	}
	switch d.Kind.Name {
	case KindRunbook:
		if !dc.has("steps") {
			dc.ds.Errorf(d.Pos, "a Runbook needs steps").Hint = "add `steps:` with at least one step"
		}
	case KindPlaybook:
		if d.Start == nil {
			dc.ds.Errorf(d.Pos, "a Playbook needs start").Hint = "add `start: NODE`, the first node"
		}
		if !dc.has("nodes") {
			dc.ds.Errorf(d.Pos, "a Playbook needs nodes").Hint = "add `nodes:` ending in conclude"
		}
	case KindRouting:
		if !dc.has("routes") {
			dc.ds.Errorf(d.Pos, "a Routing file needs routes")
		}
	}
}

// duplicate reports a name@version defined twice with different contents.
func (dc *defCheck) duplicate() {
	for _, o := range dc.all {
		if o != dc.d && o.Name.Name == dc.d.Name.Name && o.Version.Name == dc.d.Version.Name && o.File != dc.d.File && !bytes.Equal(o.Source, dc.d.Source) {
			dc.ds.Errorf(dc.d.Version.Pos, "%s is also defined in %s with different contents", dc.d.ID(), o.File).Hint = "bump the version of one of them"
		}
	}
}

// names checks step names: syntax and uniqueness across the definition.
func (dc *defCheck) names(steps []*Step) {
	for _, s := range steps {
		n := s.Name
		switch {
		case n.Name == "":
		case !nameRE.MatchString(n.Name):
			dc.ds.Errorf(n.Pos, "step name %q must match ^[A-Za-z][A-Za-z0-9_]*$", n.Name).Hint = "names are used in expressions (steps.NAME): use letters, digits and _"
		case dc.steps[n.Name] != nil:
			dc.ds.Errorf(n.Pos, "duplicate step name %q (first at line %d)", n.Name, dc.steps[n.Name].Name.Pos.Line).Hint = "rename one of them"
		default:
			dc.steps[n.Name] = s
		}
		dc.names(s.Steps)
	}
}

// unused warns about params and step outputs nothing reads.
func (dc *defCheck) unused() {
	for _, p := range dc.d.Params {
		if !dc.used["params."+p.Name.Name] && p.Name.Name != "" {
			dc.ds.Warnf(p.Name.Pos, "param %s is never used", p.Name.Name)
		}
	}
	var walk func([]*Step)
	walk = func(steps []*Step) {
		for _, s := range steps {
			for _, o := range s.Outputs {
				key := fmt.Sprintf("steps.%s.%s", s.Name.Name, o.Name.Name)
				if !dc.used[key] && !o.Implicit {
					dc.ds.Warnf(o.Name.Pos, "output %s of step %s is never used", o.Name.Name, s.Name.Name)
				}
			}
			walk(s.Steps)
		}
	}
	walk(dc.d.Steps)
	walk(dc.d.Finally)
}

// has reports whether the definition's top level has key.
func (dc *defCheck) has(key string) bool { return dc.d.keys[key] }
