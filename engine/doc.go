// Package engine is the runbook language: a definition file goes in, a
// Plan comes out. Validate reads as the pipeline: Load (read.go, load*.go:
// YAML with every position kept) -> Check (check*.go: every diagnostic
// collected, every expression type-checked against the shapes of params,
// step outputs and AWS results) -> Lower (lower.go: the Plan, plain
// serializable data with each step's source position and a digest).
//
// It also holds what the other parts agree on without importing each
// other: the Plan and the interpreter workflow's names, input, calls and
// Outcome (plan.go, workflow.go, outcome.go, finding.go); step-kind
// descriptors (kind.go: how a kind is written, checked, documented and
// run; the kinds themselves are in package steps); expressions and
// interpolation (eval.go, resolve.go, template.go, reads.go); shapes and
// data conversion between SDK types and what definitions read
// (shape*.go, data*.go); params (params.go, paramvalue.go,
// checkparams.go); secrets (redact.go; the payload codec, codec.go and
// seal.go); history I/O (history.go); timer summaries (timer.go); and the
// JSON Schema and docs generated from the kinds (schema*.go, docs.go).
//
// The packages below it each have their own users: interp (the
// interpreter workflow and its client side), timeline (a history as a
// timeline), casetest (`runbook test`), embedded (the embedded Temporal
// server), serve (the HTTP server), archive and ssm. Package engine
// imports none of them, nor steps.
package engine
