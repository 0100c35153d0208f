// Package casetest is the `runbook test` framework: test files
// (NAME.test.yaml beside NAME.yaml, read with the engine's Reader) hold
// cases that run a definition on Temporal's test environment (time skips)
// with canned responses in place of AWS, HTTP and scripts, the decisions
// of people (approvals, done-marks, answers) sent as the workflow's own
// updates, and expectations on the outcome.
//
// Load reads a test file, File.Check checks it against the definition's
// plan, Run runs a case, Edges and Untaken tell the routes the cases took
// and left, Record and Append write a case from a real execution's
// history (`runbook test --record`). The file format is documented on
// File.
package casetest
