package ssm

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// runbook is the v1 definition the importer writes; fields are in the
// order a reader expects them.
type runbook struct {
	APIVersion  string     `yaml:"apiVersion"`
	Kind        string     `yaml:"kind"`
	Name        string     `yaml:"name"`
	Version     string     `yaml:"version"`
	Description string     `yaml:"description,omitempty"`
	AssumeRole  string     `yaml:"assumeRole,omitempty"`
	Params      *yaml.Node `yaml:"params,omitempty"`
	Steps       []*step    `yaml:"steps"`
	Outputs     *yaml.Node `yaml:"outputs,omitempty"`
}

// param is a v1 param declaration.
type param struct {
	name        string // the v1 name (the SSM name, made an identifier)
	Type        string `yaml:"type"`
	Items       string `yaml:"items,omitempty"`
	Description string `yaml:"description,omitempty"`
	Default     any    `yaml:"default,omitempty"`
	hasDefault  bool
	Enum        []any  `yaml:"enum,omitempty"`
	Pattern     string `yaml:"pattern,omitempty"`
}

// step is a v1 step: step-level fields and at most one kind.
type step struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description,omitempty"`
	If          string         `yaml:"if,omitempty"`
	AWS         string         `yaml:"aws,omitempty"`
	Input       map[string]any `yaml:"input,omitempty"`
	WaitFor     *waitFor       `yaml:"waitFor,omitempty"`
	Assert      any            `yaml:"assert,omitempty"`
	Message     string         `yaml:"message,omitempty"`
	Approve     *approve       `yaml:"approve,omitempty"`
	Sleep       string         `yaml:"sleep,omitempty"`
	Script      *script        `yaml:"script,omitempty"`
	ForEach     string         `yaml:"forEach,omitempty"`
	Steps       []*step        `yaml:"steps,omitempty"`
	Log         string         `yaml:"log,omitempty"`
	Fail        string         `yaml:"fail,omitempty"`
	Succeed     string         `yaml:"succeed,omitempty"`
	Timeout     string         `yaml:"timeout,omitempty"`
	Retry       *retry         `yaml:"retry,omitempty"`
	OnFailure   string         `yaml:"onFailure,omitempty"`
	Outputs     *yaml.Node     `yaml:"outputs,omitempty"`
	Branch      []route        `yaml:"branch,omitempty"`
	Default     string         `yaml:"default,omitempty"`
	MaxVisits   int            `yaml:"maxVisits,omitempty"`
}

type waitFor struct {
	AWS      string         `yaml:"aws"`
	Input    map[string]any `yaml:"input,omitempty"`
	Until    string         `yaml:"until"`
	Interval string         `yaml:"interval,omitempty"`
	Timeout  string         `yaml:"timeout,omitempty"`
}

type awsAssert struct {
	AWS       string         `yaml:"aws"`
	Input     map[string]any `yaml:"input,omitempty"`
	Condition string         `yaml:"condition"`
	Message   string         `yaml:"message,omitempty"`
}

type approve struct {
	Approvers    []string `yaml:"approvers"`
	MinApprovals int      `yaml:"minApprovals,omitempty"`
	Message      string   `yaml:"message,omitempty"`
	Timeout      string   `yaml:"timeout,omitempty"`
	Notify       any      `yaml:"notify,omitempty"`
}

type script struct {
	Command []string          `yaml:"command"`
	Env     map[string]string `yaml:"env,omitempty"`
	Stdin   string            `yaml:"stdin,omitempty"`
}

type retry struct {
	MaxAttempts int `yaml:"maxAttempts"`
}

type route struct {
	When string `yaml:"when"`
	Goto string `yaml:"goto"`
}

// orderedMap builds a YAML mapping that keeps the order of its keys.
type orderedMap struct{ node yaml.Node }

func (m *orderedMap) set(key string, value any) {
	if m.node.Kind == 0 {
		m.node.Kind = yaml.MappingNode
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Value: key}
	v := &yaml.Node{}
	if err := v.Encode(value); err != nil {
		panic(err) // only plain data and the types above are encoded
	}
	m.node.Content = append(m.node.Content, k, v)
}

// setNote sets key, with a comment on its line.
func (m *orderedMap) setNote(key string, value any, note string) {
	m.set(key, value)
	m.node.Content[len(m.node.Content)-1].LineComment = "# " + note
}

// yamlNode is the mapping, or nil when it has no keys.
func (m *orderedMap) yamlNode() *yaml.Node {
	if len(m.node.Content) == 0 {
		return nil
	}
	return &m.node
}

// marshal writes the runbook as YAML, indented by two spaces.
func (r *runbook) marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# Imported from an SSM Automation document by `runbook import ssm`.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		panic(err)
	}
	enc.Close()
	return b.Bytes()
}

// MarshalYAML writes the mapping in the order its keys were set.
func (m *orderedMap) MarshalYAML() (any, error) {
	if m.node.Kind == 0 {
		return map[string]any{}, nil
	}
	return &m.node, nil
}
