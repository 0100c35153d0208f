package casetest

import (
	"errors"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"gopkg.in/yaml.v3"
)

// The writing side of Record: a case's parts as YAML nodes, and
// Append.

// outputsResponse is a recorded activity result: the step's outputs and,
// for a check whose condition failed, met: false.
func outputsResponse(c engine.Call, res engine.CallResult) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	outs := res.Outputs
	if outs == nil {
		outs = map[string]any{}
	}
	ySet(n, "outputs", yNode(outs))
	if c.Until != nil && !res.Met {
		ySet(n, "met", yNode(false))
	}
	if len(outs) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n
}

func errorResponse(code, msg string) *yaml.Node {
	e := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	ySet(e, "code", yNode(code))
	if msg != "" && msg != code {
		ySet(e, "message", yNode(msg))
	}
	n := &yaml.Node{Kind: yaml.MappingNode}
	ySet(n, "error", e)
	return n
}

// expectOf is what a recorded case expects: the outcome it had.
func expectOf(out *engine.Outcome) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	ySet(n, "status", yNode(out.Status))
	if out.Failed != "" {
		ySet(n, "failed", yNode(out.Failed))
	}
	if out.Error != nil && out.Error.Type != "" {
		ySet(n, "error", yNode(out.Error.Type))
	}
	ySet(n, "path", yFlow(yNode(outcomePath(out))))
	if len(out.Outputs) > 0 {
		ySet(n, "outputs", yNode(out.Outputs))
	}
	if f := out.Finding; f != nil {
		fn := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		ySet(fn, "node", yNode(f.Node))
		ySet(fn, "severity", yNode(f.Severity))
		if f.Recommend != nil {
			ySet(fn, "recommend", yNode(f.Recommend.Run))
		}
		ySet(n, "finding", fn)
	}
	return n
}

// Append adds a case to the test file src (a new one when src is
// empty), keeping what it holds.
func Append(src []byte, c *yaml.Node) ([]byte, error) {
	var doc yaml.Node
	if len(strings.TrimSpace(string(src))) > 0 {
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return nil, err
		}
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("not a test file: its top level is not a mapping")
	}
	cases := yGet(root, "cases")
	if cases == nil {
		cases = &yaml.Node{Kind: yaml.SequenceNode}
		ySet(root, "cases", cases)
	}
	if cases.Kind != yaml.SequenceNode {
		return nil, errors.New("not a test file: its cases are not a list")
	}
	cases.Style &^= yaml.FlowStyle // `cases: []` grows into a block list
	cases.Content = append(cases.Content, c)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return []byte(b.String()), enc.Close()
}

func yNode(v any) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	return &n
}

func yFlow(n *yaml.Node) *yaml.Node {
	n.Style = yaml.FlowStyle
	return n
}

func ySet(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

func yGet(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
