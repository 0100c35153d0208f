package steps

import "github.com/runbook-dev/runbook/engine"

// Succeed ends the execution as successful.
var Succeed = &engine.Kind{
	Name:    "succeed",
	Summary: "End the execution now as successful, with a message.",
	Scalar:  &engine.Field{Name: "succeed", Type: engine.TextField, Doc: "why"},
	Ends:    true,
	Example: `name: nothingToDo
succeed: already healthy
`,
}
