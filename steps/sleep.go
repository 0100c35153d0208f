package steps

import "github.com/runbook-dev/runbook/engine"

// Sleep waits on a durable timer.
var Sleep = &engine.Kind{
	Name:    KindSleep,
	Summary: "Wait for a duration on a durable timer (survives restarts).",
	Scalar:  &engine.Field{Name: KindSleep, Type: engine.DurationField, Doc: "how long: 90s, 15m, 2h, 1d"},
	Runs:    engine.RunsTimer,
	Example: `name: settle
sleep: 90s
`,
}
