package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestJSONLines: run, watch and list -o jsonl write one JSON object per
// line: run and watch each step's start and end, then the outcome, on
// stdout (nothing but notices on stderr); list one execution per line.
func TestJSONLines(t *testing.T) {
	env := e2eEnv(t)
	addr := e2eServer(t, env)
	dir := workdir(t, map[string]string{"ok.yaml": e2eRunbook, "failing.yaml": e2eFailing})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr)...)
	}
	steps := []string{
		"step.start create running", "step.end create succeeded",
		"step.start attrs running", "step.end attrs succeeded",
		"step.start nap running", "step.end nap succeeded",
		"outcome succeeded",
	}

	r := cli("run", "ok.yaml", "-p", "Queue=e2e-jsonl-run", "-o", "jsonl")
	if r.code != 0 {
		t.Fatal(r)
	}
	if got := eventsOf(t, r.stdout); !slices.Equal(got, steps) {
		t.Errorf("run -o jsonl: events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(steps, "\n"))
	}
	if strings.Contains(r.stderr, "ok create") || strings.Contains(r.stderr, "✓") {
		t.Errorf("run -o jsonl printed the steps as text too:\n%s", r.stderr)
	}

	r = cli("run", "failing.yaml", "-o", "jsonl")
	if got := eventsOf(t, r.stdout); r.code != 1 || !slices.Equal(got, []string{"step.start lookup running", "step.end lookup failed", "outcome failed"}) {
		t.Errorf("failing run -o jsonl: %q\n%s", got, r)
	}

	r = cli("start", "ok.yaml", "-p", "Queue=e2e-jsonl-watch", "-p", "Nap=2s")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatal(r)
	}
	r = cli("watch", id, "-o", "jsonl")
	got := eventsOf(t, r.stdout)
	if r.code != 0 || !slices.Equal(got[len(got)-3:], steps[len(steps)-3:]) || !slices.Contains(got, "step.end create succeeded") {
		t.Errorf("watch -o jsonl: %q\n%s", got, r)
	}

	// Visibility is eventually consistent: the list may lag a moment.
	for try := 0; ; try++ {
		r = cli("list", "-o", "jsonl")
		rows := jsonLines(t, r.stdout)
		var ids []string
		for _, row := range rows {
			ids = append(ids, row["id"].(string))
		}
		if r.code == 0 && len(rows) >= 3 && slices.Contains(ids, id) {
			break
		}
		if try == 50 {
			t.Fatalf("list -o jsonl does not list the 3 executions, %s among them:\n%s", id, r)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
