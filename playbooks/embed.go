// Package playbooks is the shipped library of playbooks: the YAML
// definitions in this folder, embedded so that the runbook binary carries
// them. A playbook diagnoses an alarm and concludes with a finding, often
// recommending a runbook from the runbooks package.
package playbooks

import "embed"

// FS holds the library's definition files (*.yaml), at the root of the FS.
//
//go:embed *.yaml
var FS embed.FS
