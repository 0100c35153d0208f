package steps

import "github.com/runbook-dev/runbook/engine"

// Script runs a program on the worker, where the worker allows scripts.
var Script = &engine.Kind{
	Name:    KindScript,
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
	Runs:     engine.RunsActivity,
	Activity: engine.ActivityScript,
	Target:   scriptProgram,
	Guard:    guardV1,
	Example: `name: dig
script:
  command: [dig, +short, "${{ params.Host }}"]
`,
}

// scriptProgram is what a script step calls: its program when literal.
func scriptProgram(s *engine.PlanStep) string {
	if c := s.Arg("command"); c != nil && len(c.List) > 0 && c.List[0].Tmpl == nil {
		return c.List[0].Str
	}
	return ""
}
