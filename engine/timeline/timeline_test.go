package timeline_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/timeline"
	"github.com/runbook-dev/runbook/steps"
)

// readHistory reads NAME.json of the replay corpus (../interp/testdata/histories).
func readHistory(t *testing.T, name string) *historypb.History {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "interp", "testdata", "histories", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := engine.ReadHistory(f)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var update = flag.Bool("update", false, "rewrite the golden timelines")

// build builds h's timeline and returns it with its text and JSON.
func build(t *testing.T, h *historypb.History) (*timeline.Timeline, string, string) {
	t.Helper()
	tl, err := timeline.Build(h, steps.All())
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := tl.Text(&text); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tl); err != nil {
		t.Fatal(err)
	}
	return tl, text.String(), raw.String()
}

// TestTimelineGolden builds the timeline of every recorded history and
// compares its text and JSON with testdata/timelines/NAME.txt and
// NAME.json (-update rewrites them). Each history also has lines its
// text must hold, so a wrong golden cannot pass unnoticed.
func TestTimelineGolden(t *testing.T) {
	want := map[string][]string{
		"approve-foreach-run-http-script": {
			"✓ gate (approve) ", "asks 2 of user:alice, user:bob", "approved by alice at ", "approved by bob at ",
			"✓ each (forEach) ", "  ✓ each[0].child (run) ", "  ✓ each[2].nap (sleep) ",
			"child rec-compose-1/each[1].child#1: rec-child@1.0.0 Name=b, succeeded at ",
			"timer sleep 100ms: fired at ", "http GET url=http://127.0.0.1:", "script echo command=[\"echo\",\"hi\"]",
			"succeeded; outputs: said=[\"hello a\",\"hello b\",\"hello c\"]",
		},
		"cancel-finally":      {"■ gate (approve) ", "timer approval deadline 1h0m0s: cancelled at ", "✓ cleanup (log) ", "\ncancelled\n"},
		"aws-outputs-routing": {"aws sqs:CreateQueue QueueName=recorded", "url=http://localhost:4566/000000000000/recorded", "↷ gone (log) ", "✓ odd (assert) "},
		"playbook-conclude-auto": {
			"when params.Level > 2 (params.Level=3): true → high", "finding (high, node high): level 3", "path: check → high",
			"child rec-playbook-1/high: rec-child@1.0.0 Name=x, started", "recommended rec-child@1.0.0 launched: rec-playbook-1/high",
		},
		"sleep-finally-fail": {
			"timer sleep 1s: fired at ", "✗ soft (assert) ", "✗ missing (aws) ", "aws sqs:GetQueueUrl QueueName=does-not-exist: failed",
			"✗ giveUp (fail) ", "✓ cleanup (log) ", "failed at step giveUp: Fail: the queue is missing",
		},
		"v0-approve-unsupported": {"✗ gate (approve) ", "Unsupported: step kind approve is not available in this build yet", "✓ cleanup (log) "},
		"waitfor-succeed":        {"waitFor dynamodb:DescribeTable TableName=recorded until result.Table.TableStatus == \"ACTIVE\" (1 polls)", "succeeded: the table is active"},
	}
	files, _ := filepath.Glob("../interp/testdata/histories/*.json")
	if len(files) == 0 {
		t.Fatal("no recorded histories under ../interp/testdata/histories")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			_, text, raw := build(t, readHistory(t, name))
			for _, w := range want[name] {
				if !strings.Contains(text, w) {
					t.Errorf("the timeline lacks %q:\n%s", w, text)
				}
			}
			golden(t, filepath.Join("testdata", "timelines", name+".txt"), text)
			golden(t, filepath.Join("testdata", "timelines", name+".json"), raw)
		})
	}
}

// golden compares got with the file at path (-update rewrites it).
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("the timeline differs from %s (run with -update if the change is intended):\n%s", path, firstDiff(string(want), got))
	}
}

// TestTimelineOrder checks the approve history's order: both decisions
// before the loop, each item's child before its sleep, the calls last.
func TestTimelineOrder(t *testing.T) {
	tl, _, _ := build(t, readHistory(t, "approve-foreach-run-http-script"))
	var names []string
	for _, s := range tl.Steps {
		names = append(names, s.Name)
	}
	want := "gate each each[0].child each[1].child each[0].nap each[1].nap each[2].child each[2].nap web sh"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("steps %s, want %s", got, want)
	}
	gate := tl.Steps[0]
	if a := gate.Approval; a == nil || len(a.Decisions) != 2 || a.Decisions[0].Identity != "alice" || a.Decisions[1].Identity != "bob" {
		t.Errorf("gate's approval %+v, want alice then bob", gate.Approval)
	}
	if len(gate.Timers) != 1 || gate.Timers[0].Name != "approval deadline" || gate.Timers[0].Duration != "1m0s" {
		t.Errorf("gate's timers %+v, want its 1m deadline", gate.Timers)
	}
	for _, s := range tl.Steps[2:8] {
		if len(s.Children)+len(s.Timers) != 1 {
			t.Errorf("%s has %d children and %d timers, want one of them", s.Name, len(s.Children), len(s.Timers))
		}
		if s.Kind == "run" && !strings.HasSuffix(s.Children[0].ID, "/"+s.Name+"#1") {
			t.Errorf("%s has child %s", s.Name, s.Children[0].ID)
		}
	}
}

// TestTimelineSecrets marks the recorded execution's Queue param secret:
// its value then shows nowhere, not even inside the queue's URL.
func TestTimelineSecrets(t *testing.T) {
	h := readHistory(t, "aws-outputs-routing")
	start := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
	dc := converter.GetDefaultDataConverter()
	var in engine.Input
	if err := dc.FromPayloads(start.Input, &in); err != nil {
		t.Fatal(err)
	}
	in.Plan.Params[0].Secret = true
	p, err := dc.ToPayloads(in)
	if err != nil {
		t.Fatal(err)
	}
	start.Input = p
	tl, text, raw := build(t, h)
	if strings.Contains(text, "recorded") || strings.Contains(raw, "recorded") {
		t.Errorf("the secret shows:\n%s\n%s", text, raw)
	}
	if tl.Params["Queue"] != "***" || !strings.Contains(text, "params: Queue=***") || !strings.Contains(text, "QueueName=***") ||
		!strings.Contains(text, "url=http://localhost:4566/000000000000/***") {
		t.Errorf("the secret is not shown redacted:\n%s", text)
	}
}

// TestTimelineRunning cuts the approve history after the decisions and
// the children's start: with no Outcome yet, the steps come from events.
func TestTimelineRunning(t *testing.T) {
	h := readHistory(t, "approve-foreach-run-http-script")
	h.Events = h.Events[:22] // through the second child's start
	tl, text, _ := build(t, h)
	if tl.Status != engine.StatusRunning || !tl.Partial {
		t.Errorf("status %s, partial %v; want a running, partial timeline", tl.Status, tl.Partial)
	}
	for _, w := range []string{
		"execution rec-compose-1 of rec-compose@1.0.0 (runbook): running", "✓ gate (approve) 2026-11-26T11:47:42.926Z 42ms", "approved by alice", "approved by bob",
		"▶ each[0].child (run) ", "child rec-compose-1/each[0].child#1: rec-child@1.0.0 Name=a, started",
		"▶ each[1].child (run) ", "timer approval deadline 1m0s: did not fire", "no outcome in the history yet",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the timeline lacks %q:\n%s", w, text)
		}
	}
	h.Events = h.Events[:12] // through alice's decision
	_, text, _ = build(t, h)
	for _, w := range []string{"⏸ gate (approve) 2026-11-26T11:47:42.926Z waiting", "approved by alice", "timer approval deadline 1m0s: pending"} {
		if !strings.Contains(text, w) {
			t.Errorf("the timeline lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "approved by bob") || strings.Contains(text, "each") {
		t.Errorf("the timeline shows what happened later:\n%s", text)
	}
}

// TestTimelineNotRunbook refuses histories that are not a runbook
// execution's.
func TestTimelineNotRunbook(t *testing.T) {
	h := readHistory(t, "waitfor-succeed")
	if _, err := timeline.Build(&historypb.History{Events: h.Events[1:]}, steps.All()); err == nil {
		t.Error("a history without its start gave a timeline")
	}
	h.Events[0].GetWorkflowExecutionStartedEventAttributes().WorkflowType.Name = "other"
	if _, err := timeline.Build(h, steps.All()); err == nil || !strings.Contains(err.Error(), "not a runbook execution") {
		t.Errorf("another workflow's history: %v", err)
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}
