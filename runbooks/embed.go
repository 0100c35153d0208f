// Package runbooks is the shipped library of runbooks: the YAML definitions
// in this folder, embedded so that the runbook binary carries them.
// `runbook validate` and `runbook plan` resolve `run:` and `recommend.run`
// against this library (and the playbooks package) besides the files they
// are given.
package runbooks

import "embed"

// FS holds the library's definition files (*.yaml), at the root of the FS.
//
//go:embed *.yaml
var FS embed.FS
