package main

import (
	"io"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// schemaCmd prints the JSON Schema.
type schemaCmd struct{}

// Run prints engine.Schema of the step kinds.
func (schemaCmd) Run(e *env) error {
	_, err := e.stdout.Write(engine.Schema(steps.All()))
	return err
}

// docsCmd prints the step-kind reference.
type docsCmd struct{}

// Run prints engine.Docs of the step kinds.
func (docsCmd) Run(e *env) error {
	_, err := io.WriteString(e.stdout, engine.Docs(steps.All()))
	return err
}
