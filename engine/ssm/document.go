package ssm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// document is an SSM Automation document, as far as the importer reads it.
type document struct {
	SchemaVersion string                `json:"schemaVersion"`
	Description   string                `json:"description"`
	AssumeRole    string                `json:"assumeRole"`
	Parameters    map[string]*parameter `json:"parameters"`
	Variables     map[string]*parameter `json:"variables"`
	MainSteps     []*ssmStep            `json:"mainSteps"`
	Outputs       []string              `json:"outputs"`
	Files         map[string]any        `json:"files"`
}

// parameter is a document parameter (or variable) declaration.
type parameter struct {
	Type           string `json:"type"`
	Description    string `json:"description"`
	Default        any    `json:"default"`
	AllowedValues  []any  `json:"allowedValues"`
	AllowedPattern string `json:"allowedPattern"`
	MinItems       *int   `json:"minItems"`
	MaxItems       *int   `json:"maxItems"`
	MinChars       *int   `json:"minChars"`
	MaxChars       *int   `json:"maxChars"`
	DisplayType    string `json:"displayType"`
}

// ssmStep is one entry of mainSteps (or of a loop's Steps).
type ssmStep struct {
	Name           string         `json:"name"`
	Action         string         `json:"action"`
	Description    string         `json:"description"`
	Inputs         map[string]any `json:"inputs"`
	Outputs        []*ssmOutput   `json:"outputs"`
	OnFailure      string         `json:"onFailure"`
	OnCancel       string         `json:"onCancel"`
	NextStep       string         `json:"nextStep"`
	IsEnd          any            `json:"isEnd"`
	TimeoutSeconds any            `json:"timeoutSeconds"`
	MaxAttempts    any            `json:"maxAttempts"`
	IsCritical     any            `json:"isCritical"`
}

// ssmOutput is a step output: a name, a JSONPath selector and a type.
type ssmOutput struct {
	Name     string `json:"Name"`
	Selector string `json:"Selector"`
	Type     string `json:"Type"`
}

// parseDocument reads a document given as JSON or YAML and checks that it
// is an Automation document (schemaVersion 0.3 with mainSteps).
func parseDocument(src []byte) (*document, error) {
	var raw any
	trimmed := bytes.TrimSpace(src)
	if len(trimmed) == 0 {
		return nil, errors.New("empty document")
	}
	if trimmed[0] == '{' {
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
	} else {
		if err := yaml.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("malformed YAML: %v", err)
		}
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, errors.New("not an SSM Automation document: the top level is not a mapping")
	}
	if v, _ := m["schemaVersion"].(string); v != "0.3" {
		if v == "" {
			return nil, errors.New("not an SSM Automation document: no schemaVersion")
		}
		return nil, fmt.Errorf("not an SSM Automation document: schemaVersion is %q, not 0.3 (Command and other documents are not imported)", v)
	}
	if _, ok := m["mainSteps"].([]any); !ok {
		return nil, errors.New("not an SSM Automation document: no mainSteps list")
	}
	// Round-trip through JSON into the typed form (YAML gives the same
	// plain data as JSON once decoded into any).
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("malformed document: %v", err)
	}
	d := &document{}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("malformed document: %v", err)
	}
	for i, s := range d.MainSteps {
		if s == nil || s.Name == "" || s.Action == "" {
			return nil, fmt.Errorf("malformed document: step %d has no name or no action", i+1)
		}
	}
	return d, nil
}
