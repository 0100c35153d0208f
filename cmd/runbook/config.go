package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine"
)

// configFlag is --config: a YAML file of the command's settings, a key
// per long flag name (sns-topic: [ARN, ...]). Flags given on the command
// line win over the file, and the file over environment variables and
// defaults. A key the command has no flag for is an error at its line.
type configFlag struct {
	Config kong.ConfigFlag `name:"config" placeholder:"FILE" help:"A YAML file of this command's flags, a key per long flag name (e.g. sns-topic: [ARN]); the command line wins over it."`
}

// configFile is a loaded --config file: its top-level keys and values.
type configFile struct {
	name    string
	keys    []*yaml.Node // mapping keys, for positions
	values  map[string]*yaml.Node
	checked bool
	unknown error // a key no flag of the command has, found by Resolve
}

// loadConfig is kong's configuration loader for --config.
func loadConfig(r io.Reader) (kong.Resolver, error) {
	name := "config"
	if f, ok := r.(interface{ Name() string }); ok {
		name = f.Name()
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	c := &configFile{name: name, values: map[string]*yaml.Node{}}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, c.errorf(root, "a config file is a mapping of flag names to values")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if _, dup := c.values[k.Value]; dup {
			return nil, c.errorf(k, "%q is set twice", k.Value)
		}
		c.keys = append(c.keys, k)
		c.values[k.Value] = v
	}
	return c, nil
}

func (c *configFile) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", c.name, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// Validate reports the unknown key Resolve found (it knows the selected
// command, Validate does not; kong validates after resolving).
func (c *configFile) Validate(*kong.Application) error { return c.unknown }

// Resolve returns the file's value of flag: a string, or a list of them.
func (c *configFile) Resolve(ctx *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	if !c.checked {
		c.checked = true
		c.unknown = c.check(ctx)
	}
	v, ok := c.values[flag.Name]
	if !ok {
		return nil, nil
	}
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Value, nil
	case yaml.SequenceNode:
		if !flag.IsSlice() {
			return nil, c.errorf(v, "%s takes one value, not a list", flag.Name)
		}
		list := make([]any, 0, len(v.Content))
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, c.errorf(item, "%s: a list item is a single value", flag.Name)
			}
			list = append(list, item.Value)
		}
		return list, nil
	}
	return nil, c.errorf(v, "%s: a value or a list of values", flag.Name)
}

// check refuses keys that name no flag of the selected command.
func (c *configFile) check(ctx *kong.Context) error {
	var names []string
	known := map[string]bool{}
	for _, p := range ctx.Path {
		for _, f := range p.Flags {
			if f.Name != "config" && f.Name != "help" {
				known[f.Name] = true
				names = append(names, f.Name)
			}
		}
	}
	sort.Strings(names)
	cmd := strings.TrimSpace("runbook " + ctx.Command())
	for _, k := range c.keys {
		if known[k.Value] {
			continue
		}
		msg := fmt.Sprintf("%s has no flag --%s", cmd, k.Value)
		if hint := engine.DidYouMean(k.Value, names); hint != "" {
			msg += "; " + hint
		}
		return c.errorf(k, "%s", msg)
	}
	return nil
}
