// Package steps holds the step kinds of the runbook language, one file per
// kind: each a descriptor (name, summary, typed fields, example) that drives
// validation, the JSON Schema and the docs, beside its runtime. All lists
// them; AWS is the registry of AWS services the aws-calling kinds use.
package steps
