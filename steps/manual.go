package steps

import "github.com/runbook-dev/runbook/engine"

// Manual waits for a person to do something and mark it done.
var Manual = &engine.Kind{
	Name:    KindManual,
	Summary: "Wait until an assignee does what the `instructions` say and marks the step done (`runbook done`, the API, the page, Slack), confirming each `checklist` item; the `timeout` fails the step. Its outputs: `by`, `note`, `at`, `checked`.",
	Fields: []engine.Field{
		{Name: "instructions", Type: engine.TextField, Required: true, Doc: "what to do (Markdown)"},
		linksField,
		{Name: "checklist", Type: engine.TextListField, Doc: "items the person confirms, each"},
		{Name: "assignees", Type: engine.PrincipalsField, Doc: "who may mark it done: user:NAME or group:NAME (default: the requester and whoever may start the definition)"},
		{Name: "timeout", Type: engine.DurationField, Doc: "the deadline (default 24h)"},
		remindField,
		notifyField,
	},
	Result: engine.Object(
		&engine.ShapeField{Name: "by", Shape: engine.Str, Required: true},
		&engine.ShapeField{Name: "note", Shape: engine.Str, Required: true},
		&engine.ShapeField{Name: "at", Shape: engine.Str, Required: true},
		&engine.ShapeField{Name: "checked", Shape: engine.ListOf(engine.Str), Required: true},
	),
	ResultOutputs: true,
	OwnTimeout:    true,
	Runs:          engine.RunsManual,
	Guard:         guardHuman,
	Example: `name: drain
manual:
  instructions: |
    Drain ${{ params.Service }} in the load balancer console,
    then wait for in-flight requests to finish.
  links:
    - title: Target group
      url: https://console.aws.amazon.com/ec2/home#TargetGroups:search=${{ params.Service }}
  checklist: [Deregistration delay passed, No 5xx spike on the dashboard]
  assignees: [group:oncall]
  timeout: 1h
  remind: 15m
`,
}
