package engine

import (
	"strings"
)

// Limits on definition files, so that a hostile or broken file gives a clear
// error instead of a hang.
const (
	MaxFileSize = 4 << 20 // bytes
	MaxDepth    = 64      // nesting of YAML collections
	MaxNodes    = 200000  // YAML nodes, aliases expanded
)

// IsTestFile reports whether path is a runbook test file (NAME.test.yaml),
// which is not a definition.
func IsTestFile(path string) bool {
	return strings.HasSuffix(path, ".test.yaml") || strings.HasSuffix(path, ".test.yml")
}

// Load parses one definition file. It returns the definition (nil when the
// file is not a readable YAML mapping) and every diagnostic found while
// loading; Check finds the rest.
func Load(file string, src []byte, kinds Kinds) (*Definition, Diagnostics) {
	l := &loader{Reader: NewReader(file, src), kinds: kinds}
	root := l.Parse(definitionDoc)
	if root == nil {
		return nil, l.Diags
	}
	d := l.definition(root)
	return d, l.Diags
}

type loader struct {
	*Reader
	kinds Kinds
	// inPlaybook is set while loading a playbook's nodes.
	inPlaybook bool
}

// definitionDoc is what a definition file holds, for Parse's messages.
var definitionDoc = Doc{
	Noun:  "definition",
	Start: "starts with `apiVersion: " + APIVersion + "`",
	Shape: "a YAML mapping starting with `apiVersion: " + APIVersion + "`",
}
