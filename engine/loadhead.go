package engine

import (
	"cmp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	commonHeader   = []string{"apiVersion", "kind", "name", "version", "description", "owner", "tags", "params", "outputs", "assumeRole", "region", "timeout", "triggers", "finally", "lock", "starters", "cancellers", "taskQueue", "notify"}
	runbookHeader  = append(append([]string{}, commonHeader...), "steps")
	playbookHeader = append(append([]string{}, commonHeader...), "start", "nodes")
	routingHeader  = []string{"apiVersion", "kind", "name", "version", "description", "owner", "routes"}
	paramFields    = []string{"type", "default", "description", "enum", "pattern", "min", "max", "items", "secret"}
	triggerFields  = []string{"alarm", "state", "account", "region", "params"}
	routeFields    = []string{"alarm", "state", "account", "region", "run", "params", "cooldown"}
)

// definition reads the header, then the body its kind calls for.
func (l *loader) definition(root *yaml.Node) *Definition {
	d := &Definition{File: l.File, Source: l.Src, Pos: l.Pos(root)}
	var kindNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "kind":
			kindNode = Deref(root.Content[i+1])
			d.Kind = l.Ident(kindNode, "kind")
		case "apiVersion":
			d.APIVersion = l.Ident(root.Content[i+1], "apiVersion")
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
			l.Diags.Errorf(d.Pos, "missing kind: add `kind: Runbook` (or Playbook, Routing)")
		}
	default:
		l.Diags.Errorf(d.Kind.Pos, "unknown kind %q", d.Kind.Name).Hint = cmp.Or(DidYouMean(d.Kind.Name, []string{KindRunbook, KindPlaybook, KindRouting}), "expected Runbook, Playbook or Routing")
	}
	if d.APIVersion.Name == "" {
		l.Diags.Errorf(d.Pos, "missing apiVersion: add `apiVersion: %s` at the top", APIVersion)
	} else if d.APIVersion.Name != APIVersion {
		l.Diags.Errorf(d.APIVersion.Pos, "unsupported apiVersion %q; this build reads %s", d.APIVersion.Name, APIVersion)
	}
	d.keys = map[string]bool{}
	for _, p := range l.Mapping(root, "the definition", nil) {
		d.keys[p.Key] = true
		switch {
		case slices.Contains(allowed, p.Key):
			l.header(d, p)
		case p.Key == "steps" && d.Kind.Name == KindPlaybook:
			l.Errorf(p.K, "a Playbook has nodes, not steps").Hint = "rename steps to nodes and add start"
		case p.Key == "nodes" && d.Kind.Name == KindRunbook:
			l.Errorf(p.K, "a Runbook has steps, not nodes").Hint = "rename nodes to steps, or make it kind: Playbook"
		default:
			l.unknownKey(p.K, "the definition", allowed)
		}
	}
	return d
}

func (l *loader) header(d *Definition, p Pair) {
	switch p.Key {
	case "name":
		d.Name = l.Ident(p.V, "name")
	case "version":
		d.Version = l.Ident(p.V, "version")
	case "description":
		d.Description, _ = l.Str(p.V, "description")
	case "owner":
		d.Owner, _ = l.Str(p.V, "owner")
	case "tags":
		for _, t := range l.StrList(p.V, "tags") {
			d.Tags = append(d.Tags, t.Name)
		}
	case "params":
		d.Params = l.params(p.V, "params", "param")
	case "outputs":
		d.Outputs = l.outputs(p.V, "outputs")
	case "assumeRole":
		d.AssumeRole = l.Value(p.V)
	case "region":
		d.Region = l.Value(p.V)
	case "timeout":
		d.Timeout = l.Duration(p.V, "timeout")
	case "triggers":
		d.Triggers = l.triggers(p.V)
	case "lock":
		d.Lock = l.Expr(p.V, "lock")
	case "starters":
		d.Starters = l.principals(p.V, "starters")
	case "cancellers":
		d.Cancellers = l.principals(p.V, "cancellers")
	case "taskQueue":
		d.TaskQueue = l.Ident(p.V, "taskQueue")
	case "notify":
		d.Notify = l.notify(p.V)
	case "steps", "nodes":
		d.Steps = l.steps(p.V, p.Key)
	case "finally":
		d.Finally = l.steps(p.V, "finally")
	case "start":
		s := l.Ident(p.V, "start")
		d.Start = &s
	case "routes":
		d.Routes = l.routes(p.V)
	}
}

// params reads typed declarations: a definition's params, an ask step's
// fields (what is "params" or "fields"; one of them is "param" or "field").
func (l *loader) params(n *yaml.Node, what, one string) []*Param {
	var out []*Param
	for _, p := range l.Mapping(n, what, nil) {
		pr := &Param{Name: Ident{Name: p.Key, Pos: l.Pos(p.K)}}
		out = append(out, pr)
		for _, f := range l.Mapping(p.V, one+" "+p.Key, paramFields) {
			switch f.Key {
			case "type":
				pr.Type = l.Ident(f.V, "type")
			case "items":
				it := l.Ident(f.V, "items")
				pr.Items = &it
			case "default":
				pr.Default = l.Value(f.V)
			case "description":
				pr.Description, _ = l.Str(f.V, "description")
			case "enum":
				pr.EnumPos = l.Pos(f.V)
				if f.V.Kind != yaml.SequenceNode {
					l.Errorf(f.V, "enum must be a list of allowed values, not %s", Describe(f.V))
					continue
				}
				for _, c := range f.V.Content {
					pr.Enum = append(pr.Enum, l.Value(c))
				}
			case "pattern":
				pr.Pattern = l.Value(f.V)
			case "min":
				pr.Min = l.Value(f.V)
			case "max":
				pr.Max = l.Value(f.V)
			case "secret":
				pr.Secret = l.Bool(f.V, "secret")
			}
		}
		if pr.Type.Name == "" && Deref(p.V).Kind == yaml.MappingNode {
			l.Errorf(p.K, "%s %s has no type", one, p.Key).Hint = "add `type: string` (or int, float, bool, duration, list, map)"
		}
	}
	return out
}

// outputs reads named expressions: `NAME: EXPR` or `NAME: {value: EXPR, secret: true}`.
func (l *loader) outputs(n *yaml.Node, what string) []*Output {
	var out []*Output
	for _, p := range l.Mapping(n, what, nil) {
		o := &Output{Name: Ident{Name: p.Key, Pos: l.Pos(p.K)}}
		if p.V.Kind == yaml.MappingNode {
			for _, f := range l.Mapping(p.V, "output "+p.Key, []string{"value", "secret"}) {
				switch f.Key {
				case "value":
					o.Expr = l.Expr(f.V, "value")
				case "secret":
					o.Secret = l.Bool(f.V, "secret")
				}
			}
			if !hasKey(p.V, "value") {
				l.Errorf(p.K, "output %s has no value", p.Key).Hint = "add `value: EXPRESSION`"
			}
		} else {
			o.Expr = l.Expr(p.V, "output "+p.Key)
		}
		out = append(out, o)
	}
	return out
}

func (l *loader) principals(n *yaml.Node, what string) []Ident {
	list := l.StrList(n, what)
	for _, p := range list {
		kind, name, _ := strings.Cut(p.Name, ":")
		switch {
		case p.Name != "" && !principalRE.MatchString(p.Name):
			l.Diags.Errorf(p.Pos, "%s entry %q is not user:NAME or group:NAME", what, p.Name)
		case name != NormalIdentity(name):
			l.Diags.Errorf(p.Pos, "%s entry %q: identities compare case-folded (tokens file, CLI); write %s:%s", what, p.Name, kind, NormalIdentity(name))
		}
	}
	return list
}

func (l *loader) triggers(n *yaml.Node) []*Trigger {
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "triggers must be a list, not %s", Describe(n))
		return nil
	}
	var out []*Trigger
	for _, c := range n.Content {
		t := &Trigger{Pos: l.Pos(c)}
		for _, f := range l.Mapping(c, "trigger", triggerFields) {
			l.triggerField(t, f)
		}
		if t.Alarm == nil && Deref(c).Kind == yaml.MappingNode {
			l.Errorf(c, "trigger has no alarm").Hint = "add `alarm: NAME-GLOB`"
		}
		out = append(out, t)
	}
	return out
}

func (l *loader) triggerField(t *Trigger, f Pair) {
	switch f.Key {
	case "alarm":
		t.Alarm = l.Value(f.V)
	case "state":
		t.State = l.Value(f.V)
	case "account":
		t.Account = l.Value(f.V)
	case "region":
		t.Region = l.Value(f.V)
	case "params":
		t.Params = l.outputs(f.V, "params")
	}
}

func (l *loader) routes(n *yaml.Node) []*Route {
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "routes must be a list, not %s", Describe(n))
		return nil
	}
	var out []*Route
	for _, c := range n.Content {
		r := &Route{Trigger: Trigger{Pos: l.Pos(c)}}
		for _, f := range l.Mapping(c, "route", routeFields) {
			switch f.Key {
			case "run":
				r.Run = l.Ident(f.V, "run")
			case "cooldown":
				r.Cooldown = l.Duration(f.V, "cooldown")
			default:
				l.triggerField(&r.Trigger, f)
			}
		}
		if r.Run.Name == "" && Deref(c).Kind == yaml.MappingNode {
			l.Errorf(c, "route has no run").Hint = "add `run: NAME@RANGE`"
		}
		out = append(out, r)
	}
	return out
}

func hasKey(n *yaml.Node, key string) bool {
	n = Deref(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}
