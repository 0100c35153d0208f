package steps

import "github.com/runbook-dev/runbook/engine"

// Log records a message in the execution's timeline.
var Log = &engine.Kind{
	Name:    KindLog,
	Summary: "Record a message in the execution's timeline.",
	Scalar:  &engine.Field{Name: KindLog, Type: engine.TextField, Doc: "the message"},
	Runs:    engine.RunsInline,
	Example: `name: note
log: starting failover of ${{ params.ClusterId }}
`,
}
