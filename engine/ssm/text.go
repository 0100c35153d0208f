package ssm

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// textOf gathers every string a step (or plain data) holds, so that the
// steps it reads can be found without writing it out as YAML.
func textOf(v any) string {
	var b strings.Builder
	gather(&b, v)
	return b.String()
}

func gather(b *strings.Builder, v any) {
	add := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	switch v := v.(type) {
	case string:
		add(v)
	case []any:
		for _, e := range v {
			gather(b, e)
		}
	case map[string]any:
		for _, e := range v {
			gather(b, e)
		}
	case []*step:
		for _, s := range v {
			gather(b, s)
		}
	case *yaml.Node:
		if v != nil {
			add(v.Value)
			for _, c := range v.Content {
				gather(b, c)
			}
		}
	case *step:
		add(v.If, v.Message, v.Sleep, v.ForEach, v.Fail, v.Succeed, v.Log)
		gather(b, v.Input)
		gather(b, v.Outputs)
		gather(b, v.Steps)
		for _, r := range v.Branch {
			add(r.When)
		}
		if w := v.WaitFor; w != nil {
			add(w.Until)
			gather(b, w.Input)
		}
		switch a := v.Assert.(type) {
		case string:
			add(a)
		case *awsAssert:
			add(a.Condition, a.Message)
			gather(b, a.Input)
		}
		if a := v.Approve; a != nil {
			add(a.Message)
			gather(b, a.Notify)
		}
		if s := v.Script; s != nil {
			add(s.Command...)
			add(s.Stdin)
			for _, e := range s.Env {
				add(e)
			}
		}
	}
}

// mapStep copies s, deeply, with f applied to every expression and text
// it holds (not to names, routes or keys); false when f refuses one.
func mapStep(s *step, f func(string) (string, bool)) (*step, bool) {
	ok := true
	m := func(v string) string {
		if v == "" {
			return v
		}
		out, good := f(v)
		ok = ok && good
		return out
	}
	c := *s
	c.If, c.Message, c.Sleep, c.ForEach = m(s.If), m(s.Message), m(s.Sleep), m(s.ForEach)
	c.Fail, c.Succeed, c.Log = m(s.Fail), m(s.Succeed), m(s.Log)
	c.Input = mapData(s.Input, m)
	c.Outputs = mapNode(s.Outputs, m)
	c.Branch = nil
	for _, r := range s.Branch {
		c.Branch = append(c.Branch, route{When: m(r.When), Goto: r.Goto})
	}
	c.Steps = nil
	for _, n := range s.Steps {
		nc, good := mapStep(n, f)
		ok = ok && good
		c.Steps = append(c.Steps, nc)
	}
	if w := s.WaitFor; w != nil {
		wc := *w
		wc.Until, wc.Input = m(w.Until), mapData(w.Input, m)
		c.WaitFor = &wc
	}
	switch a := s.Assert.(type) {
	case string:
		c.Assert = m(a)
	case *awsAssert:
		ac := *a
		ac.Condition, ac.Message, ac.Input = m(a.Condition), m(a.Message), mapData(a.Input, m)
		c.Assert = &ac
	}
	if a := s.Approve; a != nil {
		ac := *a
		ac.Message = m(a.Message)
		ac.Notify = mapValue(a.Notify, m)
		c.Approve = &ac
	}
	if sc := s.Script; sc != nil {
		cc := *sc
		cc.Command = make([]string, len(sc.Command))
		for i, e := range sc.Command {
			cc.Command[i] = m(e)
		}
		cc.Stdin = m(sc.Stdin)
		cc.Env = map[string]string{}
		for k, e := range sc.Env {
			cc.Env[k] = m(e)
		}
		c.Script = &cc
	}
	return &c, ok
}

func mapData(d map[string]any, m func(string) string) map[string]any {
	if d == nil {
		return nil
	}
	v, _ := mapValue(d, m).(map[string]any)
	return v
}

func mapValue(v any, m func(string) string) any {
	switch v := v.(type) {
	case string:
		return m(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = mapValue(e, m)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = mapValue(e, m)
		}
		return out
	}
	return v
}

// mapNode copies an outputs mapping with m applied to its values.
func mapNode(n *yaml.Node, m func(string) string) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		ec := *e
		if i%2 == 1 {
			if ec.Kind == yaml.ScalarNode {
				ec.Value = m(e.Value)
			} else {
				ec = *mapNode(e, m)
			}
		}
		c.Content[i] = &ec
	}
	return &c
}

// contains reports whether l holds s.
func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
