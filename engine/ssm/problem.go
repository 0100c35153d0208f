package ssm

import (
	"fmt"
	"strings"
)

// Problem is why one step (or the document as a whole, when Step is
// empty) could not be imported.
type Problem struct {
	Step   string // the SSM step's name
	Action string // aws:executeScript
	Reason string // a short, countable reason
	Detail string // the reference, the runtime, the selector ...
}

func (p Problem) String() string {
	where := "document"
	switch {
	case p.Step != "" && p.Action != "":
		where = fmt.Sprintf("step %s (%s)", p.Step, p.Action)
	case p.Step != "":
		where = "step " + p.Step
	}
	if p.Detail != "" {
		return fmt.Sprintf("%s: %s: %s", where, p.Reason, p.Detail)
	}
	return fmt.Sprintf("%s: %s", where, p.Reason)
}

// Problems is the error Import returns when some steps have no faithful
// translation: one line per step.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return "cannot import faithfully:\n  " + strings.Join(lines, "\n  ")
}

// unsupportedError is a reason, raised while translating a step.
type unsupportedError struct{ reason, detail string }

func (e *unsupportedError) Error() string { return e.reason + ": " + e.detail }

func unsupported(reason, detail string) error { return &unsupportedError{reason, detail} }
