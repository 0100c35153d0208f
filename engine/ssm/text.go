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
