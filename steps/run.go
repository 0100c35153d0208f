package steps

import "github.com/runbook-dev/runbook/engine"

// Run runs a child runbook.
var Run = &engine.Kind{
	Name:    KindRun,
	Summary: "Run a child runbook `NAME@VERSION-OR-RANGE` with `params`; its outputs become this step's outputs.",
	Scalar:  &engine.Field{Name: KindRun, Type: engine.RefField, Doc: "NAME, NAME@1.2.3, NAME@^1 or NAME@~1.2"},
	Beside: []engine.Field{
		{Name: "params", Type: engine.DataField, Doc: "the child's params"},
	},
	Runs:  engine.RunsChild,
	Guard: guardV1,
	Example: `name: restart
run: ec2-restart@^1
params: {InstanceId: "${{ params.InstanceId }}"}
`,
}
