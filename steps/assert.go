package steps

import "github.com/runbook-dev/runbook/engine"

var messageField = engine.Field{Name: "message", Type: engine.TextField, Doc: "what to say when the assertion fails"}

// Assert fails the execution unless a condition holds.
var Assert = &engine.Kind{
	Name:    KindAssert,
	Summary: "Fail unless a bool expression over earlier outputs holds; or, as a mapping, unless `condition` holds over an `aws` call's `result`.",
	Scalar:  &engine.Field{Name: KindAssert, Type: engine.BoolExprField, Doc: "a bool expression over earlier outputs"},
	Beside:  []engine.Field{messageField},
	Fields: []engine.Field{
		opField,
		inputField,
		{Name: "condition", Type: engine.BoolExprField, Required: true, Doc: "a bool expression over `result`"},
		messageField,
	},
	Runs:     engine.RunsCheck,
	Activity: engine.ActivityAWS,
	Example: `name: healthy
assert: steps.describe.status == "available"
message: cluster is ${{ steps.describe.status }}
`,
}
