package steps

import "github.com/runbook-dev/runbook/engine"

// Log records a message in the execution's timeline.
var Log = &engine.Kind{
	Name:    "log",
	Summary: "Record a message in the execution's timeline.",
	Scalar:  &engine.Field{Name: "log", Type: engine.TextField, Doc: "the message"},
	Example: `name: note
log: starting failover of ${{ params.ClusterId }}
`,
}
