package engine

import (
	"gopkg.in/yaml.v3"
)

var (
	commonHeader   = []string{"apiVersion", "kind", "name", "version", "description", "owner", "tags", "params", "outputs", "assumeRole", "region", "timeout", "triggers", "finally", "lock", "starters"}
	runbookHeader  = append(append([]string{}, commonHeader...), "steps")
	playbookHeader = append(append([]string{}, commonHeader...), "start", "nodes")
	routingHeader  = []string{"apiVersion", "kind", "name", "version", "description", "owner", "routes"}
	paramFields    = []string{"type", "default", "description", "enum", "pattern", "min", "max", "items", "secret"}
	triggerFields  = []string{"alarm", "state", "account", "region", "params"}
	routeFields    = []string{"alarm", "state", "account", "region", "run", "params", "cooldown"}
)

// definition reads the header, then the body its kind calls for.
func (l *loader) definition(root *yaml.Node) *Definition {
	d := &Definition{File: l.file, Source: l.src, Pos: l.pos(root)}
	var kindNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "kind":
			kindNode = deref(root.Content[i+1])
			d.Kind = l.ident(kindNode, "kind")
		case "apiVersion":
			d.APIVersion = l.ident(root.Content[i+1], "apiVersion")
		}
	}
	allowed := runbookHeader
	switch d.Kind.Name {
	case KindRunbook:
	case KindPlaybook:
		allowed, l.inPlaybook = playbookHeader, true
	case KindRouting:
		allowed = routingHeader
	case "":
		if kindNode == nil {
			l.diags.Errorf(d.Pos, "missing kind: add `kind: Runbook` (or Playbook, Routing)")
		}
	default:
		l.diags.Errorf(d.Kind.Pos, "unknown kind %q", d.Kind.Name).Hint = orList(didYouMean(d.Kind.Name, []string{KindRunbook, KindPlaybook, KindRouting}), "expected Runbook, Playbook or Routing")
	}
	if d.APIVersion.Name == "" {
		l.diags.Errorf(d.Pos, "missing apiVersion: add `apiVersion: %s` at the top", APIVersion)
	} else if d.APIVersion.Name != APIVersion {
		l.diags.Errorf(d.APIVersion.Pos, "unsupported apiVersion %q; this build reads %s", d.APIVersion.Name, APIVersion)
	}
	d.keys = map[string]bool{}
	for _, p := range l.mapping(root, "the definition", nil) {
		d.keys[p.key] = true
		switch {
		case contains(allowed, p.key):
			l.header(d, p)
		case p.key == "steps" && d.Kind.Name == KindPlaybook:
			l.errorf(p.k, "a Playbook has nodes, not steps").Hint = "rename steps to nodes and add start"
		case p.key == "nodes" && d.Kind.Name == KindRunbook:
			l.errorf(p.k, "a Runbook has steps, not nodes").Hint = "rename nodes to steps, or make it kind: Playbook"
		default:
			l.unknownKey(p.k, "the definition", allowed)
		}
	}
	return d
}

func orList(hint, otherwise string) string {
	if hint != "" {
		return hint
	}
	return otherwise
}

func (l *loader) header(d *Definition, p pair) {
	switch p.key {
	case "name":
		d.Name = l.ident(p.v, "name")
	case "version":
		d.Version = l.ident(p.v, "version")
	case "description":
		d.Description, _ = l.str(p.v, "description")
	case "owner":
		d.Owner, _ = l.str(p.v, "owner")
	case "tags":
		for _, t := range l.strList(p.v, "tags") {
			d.Tags = append(d.Tags, t.Name)
		}
	case "params":
		d.Params = l.params(p.v)
	case "outputs":
		d.Outputs = l.outputs(p.v, "outputs")
	case "assumeRole":
		d.AssumeRole = l.value(p.v)
	case "region":
		d.Region = l.value(p.v)
	case "timeout":
		d.Timeout = l.duration(p.v, "timeout")
	case "triggers":
		d.Triggers = l.triggers(p.v)
	case "lock":
		d.Lock = l.expr(p.v, "lock")
	case "starters":
		d.Starters = l.principals(p.v, "starters")
	case "steps", "nodes":
		d.Steps = l.steps(p.v, p.key)
	case "finally":
		d.Finally = l.steps(p.v, "finally")
	case "start":
		s := l.ident(p.v, "start")
		d.Start = &s
	case "routes":
		d.Routes = l.routes(p.v)
	}
}

func (l *loader) params(n *yaml.Node) []*Param {
	var out []*Param
	for _, p := range l.mapping(n, "params", nil) {
		pr := &Param{Name: Ident{Name: p.key, Pos: l.pos(p.k)}}
		out = append(out, pr)
		for _, f := range l.mapping(p.v, "param "+p.key, paramFields) {
			switch f.key {
			case "type":
				pr.Type = l.ident(f.v, "type")
			case "items":
				it := l.ident(f.v, "items")
				pr.Items = &it
			case "default":
				pr.Default = l.value(f.v)
			case "description":
				pr.Description, _ = l.str(f.v, "description")
			case "enum":
				pr.EnumPos = l.pos(f.v)
				if f.v.Kind != yaml.SequenceNode {
					l.errorf(f.v, "enum must be a list of allowed values, not %s", describe(f.v))
					continue
				}
				for _, c := range f.v.Content {
					pr.Enum = append(pr.Enum, l.value(c))
				}
			case "pattern":
				pr.Pattern = l.value(f.v)
			case "min":
				pr.Min = l.value(f.v)
			case "max":
				pr.Max = l.value(f.v)
			case "secret":
				pr.Secret = l.boolean(f.v, "secret")
			}
		}
		if pr.Type.Name == "" && deref(p.v).Kind == yaml.MappingNode {
			l.errorf(p.k, "param %s has no type", p.key).Hint = "add `type: string` (or int, float, bool, duration, list, map)"
		}
	}
	return out
}

// outputs reads named expressions: `NAME: EXPR` or `NAME: {value: EXPR, secret: true}`.
func (l *loader) outputs(n *yaml.Node, what string) []*Output {
	var out []*Output
	for _, p := range l.mapping(n, what, nil) {
		o := &Output{Name: Ident{Name: p.key, Pos: l.pos(p.k)}}
		if p.v.Kind == yaml.MappingNode {
			for _, f := range l.mapping(p.v, "output "+p.key, []string{"value", "secret"}) {
				switch f.key {
				case "value":
					o.Expr = l.expr(f.v, "value")
				case "secret":
					o.Secret = l.boolean(f.v, "secret")
				}
			}
			if !hasKey(p.v, "value") {
				l.errorf(p.k, "output %s has no value", p.key).Hint = "add `value: EXPRESSION`"
			}
		} else {
			o.Expr = l.expr(p.v, "output "+p.key)
		}
		out = append(out, o)
	}
	return out
}

func (l *loader) principals(n *yaml.Node, what string) []Ident {
	list := l.strList(n, what)
	for _, p := range list {
		if p.Name != "" && !principalRE.MatchString(p.Name) {
			l.diags.Errorf(p.Pos, "%s entry %q is not user:NAME or group:NAME", what, p.Name)
		}
	}
	return list
}

func (l *loader) triggers(n *yaml.Node) []*Trigger {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "triggers must be a list, not %s", describe(n))
		return nil
	}
	var out []*Trigger
	for _, c := range n.Content {
		t := &Trigger{Pos: l.pos(c)}
		for _, f := range l.mapping(c, "trigger", triggerFields) {
			l.triggerField(t, f)
		}
		if t.Alarm == nil && deref(c).Kind == yaml.MappingNode {
			l.errorf(c, "trigger has no alarm").Hint = "add `alarm: NAME-GLOB`"
		}
		out = append(out, t)
	}
	return out
}

func (l *loader) triggerField(t *Trigger, f pair) {
	switch f.key {
	case "alarm":
		t.Alarm = l.value(f.v)
	case "state":
		t.State = l.value(f.v)
	case "account":
		t.Account = l.value(f.v)
	case "region":
		t.Region = l.value(f.v)
	case "params":
		t.Params = l.outputs(f.v, "params")
	}
}

func (l *loader) routes(n *yaml.Node) []*Route {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "routes must be a list, not %s", describe(n))
		return nil
	}
	var out []*Route
	for _, c := range n.Content {
		r := &Route{Trigger: Trigger{Pos: l.pos(c)}}
		for _, f := range l.mapping(c, "route", routeFields) {
			switch f.key {
			case "run":
				r.Run = l.ident(f.v, "run")
			case "cooldown":
				r.Cooldown = l.duration(f.v, "cooldown")
			default:
				l.triggerField(&r.Trigger, f)
			}
		}
		if r.Run.Name == "" && deref(c).Kind == yaml.MappingNode {
			l.errorf(c, "route has no run").Hint = "add `run: NAME@RANGE`"
		}
		out = append(out, r)
	}
	return out
}

func hasKey(n *yaml.Node, key string) bool {
	n = deref(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}
