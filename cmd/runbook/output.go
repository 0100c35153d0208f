package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// The -o formats every command shares: text for people, json for one
// document, jsonl for one JSON value per line as things happen (run,
// watch) or per item (list).

// writeJSON writes v as indented JSON, HTML characters unescaped.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONL writes v as one line of JSON, HTML characters unescaped.
func writeJSONL(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// The events of run and watch -o jsonl.
const (
	eventStepStart = "step.start" // a step started, or waits for approval
	eventStepEnd   = "step.end"   // a step ended: succeeded, failed, skipped...
	eventOutcome   = "outcome"    // the execution ended; the last line
)

// event is one line of run and watch -o jsonl.
type event struct {
	Event   string             `json:"event"`
	ID      string             `json:"id"`
	Time    time.Time          `json:"time"`
	Step    *engine.StepRecord `json:"step,omitempty"`
	Outcome *engine.Outcome    `json:"outcome,omitempty"`
}

// emit writes an event of the execution p follows, at its time (now
// when it has none).
func (p *printer) emit(ev *event) {
	ev.ID = p.id
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Time = ev.Time.UTC()
	if err := writeJSONL(p.events, ev); err != nil {
		fmt.Fprintf(p.w, "runbook: %v\n", err)
	}
}

// deprecated says on stderr that a flag's spelling goes away in the next
// version, and what replaces it.
func deprecated(e *env, old, use string) {
	fmt.Fprintf(e.stderr, "runbook: %s is deprecated; use %s\n", old, use)
}
