package engine

import (
	"regexp"
	"time"
)

// The summaries the interpreter gives its durable timers, and how the
// timeline reads them back: the one format, both ends.

// ExecutionTimeoutTimer is the summary of the execution's timeout.
const ExecutionTimeoutTimer = "execution timeout"

// approvalTimer is the SDK's own summary of the timer of
// workflow.AwaitWithTimeout: an approval's deadline.
const approvalTimer = "AwaitWithTimeout"

// SleepTimer is the summary of a sleep step's timer: "sleep 1m30s (step
// settle)".
func SleepTimer(d time.Duration, step string) string {
	return "sleep " + FormatDuration(d) + " (step " + step + ")"
}

// StepTimeoutTimer is the summary of the timeout of a step that runs in
// the workflow (run, forEach): "timeout of step each".
func StepTimeoutTimer(step string) string { return "timeout of step " + step }

// HumanTimer is the summary of the timer a manual or ask step waits on
// until its deadline, or until its next reminder.
func HumanTimer(step string, reminder bool) string {
	if reminder {
		return "reminder of step " + step
	}
	return "deadline of step " + step
}

// TimerKind says what a timer is for.
type TimerKind int

// What timers are for.
const (
	TimerOther       TimerKind = iota // the execution's timeout, or a timer no summary names
	TimerSleep                        // a sleep step's
	TimerStepTimeout                  // a step's timeout
	TimerApproval                     // an approval's deadline
)

// Timer is a timer's summary read back: what it is for, the name a
// timeline shows ("sleep 1m30s", "step timeout", "approval deadline") and
// the step it belongs to, as the plan names it (no loop prefix; "" when
// the summary does not say).
type Timer struct {
	Kind TimerKind
	Name string
	Step string
}

var (
	sleepTimer  = regexp.MustCompile(`^(sleep \S+) \(step (.+)\)$`)
	stepTimeout = regexp.MustCompile(`^timeout of step (.+)$`)
	humanTimer  = regexp.MustCompile(`^(deadline|reminder) of step (.+)$`)
)

// ParseTimer reads a timer's summary back.
func ParseTimer(summary string) Timer {
	if m := sleepTimer.FindStringSubmatch(summary); m != nil {
		return Timer{Kind: TimerSleep, Name: m[1], Step: m[2]}
	}
	if m := stepTimeout.FindStringSubmatch(summary); m != nil {
		return Timer{Kind: TimerStepTimeout, Name: "step timeout", Step: m[1]}
	}
	if m := humanTimer.FindStringSubmatch(summary); m != nil {
		if m[1] == "reminder" {
			return Timer{Name: "reminder", Step: m[2]}
		}
		return Timer{Kind: TimerApproval, Name: "deadline", Step: m[2]}
	}
	switch summary {
	case approvalTimer:
		return Timer{Kind: TimerApproval, Name: "approval deadline"}
	case "":
		return Timer{Name: "timer"}
	}
	return Timer{Name: summary}
}
