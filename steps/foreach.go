package steps

import "github.com/runbook-dev/runbook/engine"

// ForEach runs nested steps once per item of a list.
var ForEach = &engine.Kind{
	Name:    KindForEach,
	Summary: "Run nested `steps` once per item of a list (see `item`, `index`), `concurrency` at a time; `maxErrors` failures are tolerated.",
	Scalar:  &engine.Field{Name: KindForEach, Type: engine.ListExprField, Doc: "an expression giving a list"},
	Beside: []engine.Field{
		{Name: "steps", Type: engine.StepsField, Required: true, Doc: "the steps run for each item"},
		{Name: "concurrency", Type: engine.IntField, Min: 1, Doc: "items run at once (default 1)"},
		{Name: "maxErrors", Type: engine.IntField, Doc: "failed items tolerated (default 0: the first failure stops the loop)"},
	},
	Runs:  engine.RunsLoop,
	Guard: guardV1,
	Example: `name: each
forEach: params.InstanceIds
concurrency: 3
steps:
  - name: stop
    aws: ec2:StopInstances
    input: {InstanceIds: ["${{ item }}"]}
`,
}
