package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/log"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// replayCmd replays recorded histories against this build.
type replayCmd struct {
	Files  []string `arg:"" optional:"" name:"file" type:"existingfile" help:"History JSON files (runbook history ID -o temporal)."`
	ID     []string `name:"id" placeholder:"ID" sep:"none" predictor:"execution" help:"Replay this execution's history, fetched from the server. Repeatable."`
	conn   `embed:""`
	remote `embed:""`
}

// Run replays each history with Temporal's replayer; exit 1 when one
// would not replay, naming the step and the event where it diverges.
func (c *replayCmd) Run(e *env) error {
	if len(c.Files) == 0 && len(c.ID) == 0 {
		return usagef("name history files or --id ID")
	}
	if len(c.ID) > 0 {
		if err := c.refuse("replay --id", "endpoint for an execution's history (export it with runbook history ID -o temporal where Temporal is reachable)"); err != nil {
			return err
		}
	}
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return err
	}
	failed := 0
	st := newStyle(e.stdout, e.color)
	check := func(name string, h *historypb.History) {
		err := engine.DecodeHistory(context.Background(), h, codec)
		if err == nil {
			err = interp.Replay(h, steps.All(), logger)
		}
		if err != nil {
			failed++
			fmt.Fprintf(e.stdout, "%s %s: does not replay%s\n  %v\n", st.mark(engine.StatusFailed), name, divergence(err, h), err)
			return
		}
		fmt.Fprintf(e.stdout, "%s %s: replays (%d events)\n", st.mark(engine.StatusSucceeded), name, len(h.GetEvents()))
	}
	for _, f := range c.Files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return usagef("%v", err)
		}
		h, err := engine.ReadHistory(bytes.NewReader(raw))
		if err != nil {
			return usagef("%s: not a history: %v", f, err)
		}
		check(f, h)
	}
	if len(c.ID) > 0 {
		ctx := context.Background()
		s, err := c.connect(ctx, false)
		if err != nil {
			return err
		}
		defer s.close()
		for _, id := range c.ID {
			h, err := fetchHistory(ctx, s, id)
			if err != nil {
				return err
			}
			check(id, h)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d histories do not replay on this build: guard the change with workflow.GetVersion", failed, len(c.Files)+len(c.ID))
	}
	return nil
}

var divergedAt = regexp.MustCompile(`(?:activityID|position|TimerId|WorkflowId)[:= ]+\(?([^\s,)]+?)[.,)]?(?:\s|$)`)

// divergence names, from the replayer's error, the step (activity, timer
// or child ID) where the replay diverged and its event in h.
func divergence(err error, h *historypb.History) string {
	m := divergedAt.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	id := m[1]
	for _, ev := range h.GetEvents() {
		if ev.GetActivityTaskScheduledEventAttributes().GetActivityId() == id ||
			ev.GetTimerStartedEventAttributes().GetTimerId() == id ||
			ev.GetStartChildWorkflowExecutionInitiatedEventAttributes().GetWorkflowId() == id {
			return fmt.Sprintf(" at %s (event %d, %s)", id, ev.GetEventId(), ev.GetEventType())
		}
	}
	return " at " + id
}

// fetchHistory reads an execution's whole history from the server.
func fetchHistory(ctx context.Context, s *session, id string) (*historypb.History, error) {
	h, err := engine.FetchHistory(ctx, s.client, id, "")
	if err != nil {
		return nil, unreachable(err)
	}
	return h, nil
}
