package engine_test

import (
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// TestTimerRoundTrip: what the interpreter names its timers reads back
// as the timer it is.
func TestTimerRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		summary string
		want    engine.Timer
	}{
		{engine.SleepTimer(90*time.Second, "settle"), engine.Timer{Kind: engine.TimerSleep, Name: "sleep 1m30s", Step: "settle"}},
		{engine.SleepTimer(48*time.Hour, "wait_2"), engine.Timer{Kind: engine.TimerSleep, Name: "sleep 2d", Step: "wait_2"}},
		{engine.StepTimeoutTimer("each"), engine.Timer{Kind: engine.TimerStepTimeout, Name: "step timeout", Step: "each"}},
		{engine.ExecutionTimeoutTimer, engine.Timer{Name: "execution timeout"}},
		{"AwaitWithTimeout", engine.Timer{Kind: engine.TimerApproval, Name: "approval deadline"}},
		{"", engine.Timer{Name: "timer"}},
		{"sleep with no step", engine.Timer{Name: "sleep with no step"}},
	} {
		if got := engine.ParseTimer(tt.summary); got != tt.want {
			t.Errorf("ParseTimer(%q) = %+v, want %+v", tt.summary, got, tt.want)
		}
	}
}
