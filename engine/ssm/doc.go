// Package ssm translates AWS Systems Manager Automation documents
// (schemaVersion 0.3, JSON or YAML) into runbooks in definition format v1.
//
// The pipeline reads in [Import]: parse the document, declare its
// parameters (a default holding references is resolved by a step at the
// start of the run, as SSM resolves it when an execution starts), find
// the branches whose arms are read after they meet (run in sequence,
// each arm skipped unless chosen), list every step's outputs (so that a
// `{{ step.Output }}` reference can be rewritten before the step is
// reached), translate each step by its action, then write the runbook as
// YAML. An action v1 cannot express faithfully is not guessed at: the
// step is reported with the reason, and the document is not imported.
// The one exception, an onCancel handler (a v1 cancel runs only finally
// steps), is noted per step in [Result].Notes and the step's description.
//
// [Summarize] runs the importer and the validator over many documents and
// counts, per reason, the ones that did not make it, and the notes of
// those that did.
package ssm
