package serve

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

func TestApprovalsCollector(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	wait := func(runbook string, ago time.Duration) *interp.WaitingStep {
		return &interp.WaitingStep{Runbook: runbook, Approval: &engine.Approval{Runbook: runbook, Since: now.Add(-ago)}}
	}
	answers := []struct {
		steps []*interp.WaitingStep
		err   error
	}{
		{[]*interp.WaitingStep{wait("restart-db@1.0.0", time.Minute), wait("restart-db@1.2.0", time.Hour), wait("scale-out@2.0.0", 10*time.Second)}, nil},
		{nil, errors.New("Temporal unreachable")}, // keeps the previous answer
		{[]*interp.WaitingStep{}, nil},
	}
	asked := 0
	m := NewMetrics()
	c := newApprovalsCollector(func(context.Context) ([]*interp.WaitingStep, error) {
		a := answers[asked]
		asked++
		return a.steps, a.err
	}, func() time.Time { return now })
	if err := m.Register(c); err != nil {
		t.Fatal(err)
	}
	scrape := func() string {
		var b bytes.Buffer
		if _, err := m.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(l, "runbook_approval") && !strings.HasPrefix(l, "runbook_approval_wait_seconds") {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	for i, tc := range []struct {
		advance time.Duration
		asked   int
		want    string
	}{
		{0, 1, `runbook_approval_oldest_wait_seconds{definition="restart-db"} 3600
runbook_approval_oldest_wait_seconds{definition="scale-out"} 10
runbook_approvals_waiting{definition="restart-db"} 2
runbook_approvals_waiting{definition="scale-out"} 1`},
		{5 * time.Second, 1, `runbook_approval_oldest_wait_seconds{definition="restart-db"} 3605
runbook_approval_oldest_wait_seconds{definition="scale-out"} 15
runbook_approvals_waiting{definition="restart-db"} 2
runbook_approvals_waiting{definition="scale-out"} 1`}, // not asked again: ages from the last answer
		{approvalsEvery, 2, `runbook_approval_oldest_wait_seconds{definition="restart-db"} 3620
runbook_approval_oldest_wait_seconds{definition="scale-out"} 30
runbook_approvals_waiting{definition="restart-db"} 2
runbook_approvals_waiting{definition="scale-out"} 1`}, // asked; failed
		{approvalsEvery, 3, ``},
	} {
		now = now.Add(tc.advance)
		if got := scrape(); got != tc.want || asked != tc.asked {
			t.Errorf("scrape %d: asked %d times, want %d; got\n%s\nwant\n%s", i, asked, tc.asked, got, tc.want)
		}
	}
}
