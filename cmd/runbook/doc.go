// Command runbook is the CLI of the runbook engine: it validates runbook and
// playbook definitions, prints the plan a definition lowers to, and prints
// the JSON Schema and the step-kind reference generated from the step kinds.
//
// Usage:
//
//	runbook validate PATH... [--format text|json|github|sarif] [--strict] [--catalog DIR]...
//	runbook plan FILE [-o json] [--catalog DIR]...
//	runbook schema
//	runbook docs
//	runbook version
//
// Exit codes: 0 success; 1 invalid definition; 2 usage error (unknown
// flags, a path that does not exist); 3 is reserved for an unreachable
// Temporal or server.
package main
