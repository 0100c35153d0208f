package steps

import "github.com/runbook-dev/runbook/engine"

// Conclude ends a playbook with a finding.
var Conclude = &engine.Kind{
	Name:    KindConclude,
	Summary: "End a playbook with a finding, its severity and, optionally, a recommended runbook.",
	Fields: []engine.Field{
		{Name: "finding", Type: engine.TextField, Required: true, Doc: "what the diagnosis found"},
		{Name: "severity", Type: engine.EnumField, Required: true, Enum: []string{"info", "low", "medium", "high", "critical"}, Doc: "how bad it is"},
		{Name: "recommend", Type: engine.ObjectField, Doc: "a runbook to run next", Fields: []engine.Field{
			{Name: "run", Type: engine.RefField, Required: true, Doc: "NAME@VERSION-OR-RANGE"},
			{Name: "params", Type: engine.DataField, Doc: "its params"},
			{Name: "auto", Type: engine.BoolField, Doc: "launch it now as a child (approvals still apply)"},
		}},
	},
	Ends:         engine.EndConcluded,
	PlaybookOnly: true,
	Runs:         engine.RunsInline,
	Guard:        guardV1,
	Example: `name: suspectDeploy
conclude:
  finding: A deployment in the last hour is the likeliest cause.
  severity: high
  recommend:
    run: ecs-service-rollback@^1
    params: {Cluster: "${{ params.Cluster }}", Service: "${{ params.Service }}"}
`,
}
