package main

import (
	"io"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/casetest"
	"github.com/runbook-dev/runbook/engine/serve"
	"github.com/runbook-dev/runbook/steps"
)

// schemaCmd prints the JSON Schema of one kind of file a user writes.
type schemaCmd struct {
	File string `arg:"" optional:"" enum:"definition,test,tokens" default:"definition" help:"Which file: ${enum} (definitions and routing files, *.test.yaml, the tokens file of serve --tokens)."`
}

// schemas are the committed JSON Schemas by the file they describe: the
// file name at the repository root and its generator.
var schemas = []struct {
	file, path string
	gen        func() []byte
}{
	{"definition", "runbook.schema.json", func() []byte { return engine.Schema(steps.All()) }},
	{"test", casetest.SchemaFile, casetest.Schema},
	{"tokens", serve.TokensSchemaFile, serve.TokensSchema},
}

// Run prints the schema of c.File.
func (c schemaCmd) Run(e *env) error {
	for _, s := range schemas {
		if s.file == c.File {
			_, err := e.stdout.Write(s.gen())
			return err
		}
	}
	return usagef("no schema of %q", c.File)
}

// docsCmd prints the step-kind reference.
type docsCmd struct{}

// Run prints engine.Docs of the step kinds.
func (docsCmd) Run(e *env) error {
	_, err := io.WriteString(e.stdout, engine.Docs(steps.All()))
	return err
}
