package steps

import "github.com/runbook-dev/runbook/engine"

// Sleep waits on a durable timer.
var Sleep = &engine.Kind{
	Name:    "sleep",
	Summary: "Wait for a duration on a durable timer (survives restarts).",
	Scalar:  &engine.Field{Name: "sleep", Type: engine.DurationField, Doc: "how long: 90s, 15m, 2h, 1d"},
	Example: `name: settle
sleep: 90s
`,
}
