package steps

import "github.com/runbook-dev/runbook/engine"

// Fail ends the execution as failed.
var Fail = &engine.Kind{
	Name:    KindFail,
	Summary: "End the execution now as failed, with a message.",
	Scalar:  &engine.Field{Name: KindFail, Type: engine.TextField, Doc: "why"},
	Ends:    engine.EndFailed,
	Runs:    engine.RunsInline,
	Example: `name: giveUp
fail: cluster ${{ params.ClusterId }} is not healthy
`,
}
