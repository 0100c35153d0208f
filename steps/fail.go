package steps

import "github.com/runbook-dev/runbook/engine"

// Fail ends the execution as failed.
var Fail = &engine.Kind{
	Name:    "fail",
	Summary: "End the execution now as failed, with a message.",
	Scalar:  &engine.Field{Name: "fail", Type: engine.TextField, Doc: "why"},
	Ends:    true,
	Example: `name: giveUp
fail: cluster ${{ params.ClusterId }} is not healthy
`,
}
