package steps

import "github.com/runbook-dev/runbook/engine"

// Script runs a program on the worker, where the worker allows scripts.
var Script = &engine.Kind{
	Name:    "script",
	Summary: "Run a program (argv, no shell unless asked for) where the worker allows scripts; `outputs` read `result.stdout`, `result.stderr`, `result.exitCode`.",
	Fields: []engine.Field{
		{Name: "command", Type: engine.TextListField, Required: true, Doc: "the argv: [program, arg, ...]"},
		{Name: "env", Type: engine.TextMapField, Doc: "environment variables"},
		{Name: "stdin", Type: engine.TextField, Doc: "standard input"},
	},
	Result: engine.Object(
		&engine.ShapeField{Name: "stdout", Shape: engine.Str},
		&engine.ShapeField{Name: "stderr", Shape: engine.Str},
		&engine.ShapeField{Name: "exitCode", Shape: engine.Integer},
	),
	Example: `name: dig
script:
  command: [dig, +short, "${{ params.Host }}"]
`,
}
