package steps

import "github.com/runbook-dev/runbook/engine"

// Succeed ends the execution as successful.
var Succeed = &engine.Kind{
	Name:    KindSucceed,
	Summary: "End the execution now as successful, with a message.",
	Scalar:  &engine.Field{Name: KindSucceed, Type: engine.TextField, Doc: "why"},
	Ends:    engine.EndSucceeded,
	Runs:    engine.RunsInline,
	Example: `name: nothingToDo
succeed: already healthy
`,
}
