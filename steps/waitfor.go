package steps

import "github.com/runbook-dev/runbook/engine"

// WaitFor polls an AWS operation until a condition over its result holds.
var WaitFor = &engine.Kind{
	Name:    KindWaitFor,
	Summary: "Poll an AWS operation at `interval` until `until` holds or `timeout` passes, in one heartbeating activity.",
	Fields: []engine.Field{
		opField,
		inputField,
		{Name: "until", Type: engine.BoolExprField, Required: true, Doc: "a bool expression over `result`"},
		{Name: "interval", Type: engine.DurationField, Doc: "time between polls (default 15s)"},
		{Name: "timeout", Type: engine.DurationField, Doc: "the deadline of the wait (default 30m); then the step fails"},
	},
	OwnTimeout: true,
	Runs:       engine.RunsActivity,
	Activity:   engine.ActivityWaitFor,
	Example: `name: available
waitFor:
  aws: rds:DescribeDBClusters
  input: {DBClusterIdentifier: "${{ params.ClusterId }}"}
  until: result.DBClusters[0].Status == "available"
  interval: 15s
  timeout: 15m
`,
}
