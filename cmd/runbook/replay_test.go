package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayCommand: the corpus replays (exit 0); a history whose step
// the interpreter would not schedule (its activity renamed) is caught,
// naming the step and the event (exit 1).
func TestReplayCommand(t *testing.T) {
	corpus, _ := filepath.Glob("../../engine/interp/testdata/histories/*.json")
	if len(corpus) == 0 {
		t.Fatal("no corpus")
	}
	if r := runIn(t, ".", append([]string{"replay"}, corpus...)...); r.code != 0 || strings.Count(r.stdout, ": replays (") != len(corpus) {
		t.Fatalf("corpus: %s", r)
	}
	raw, err := os.ReadFile("../../engine/interp/testdata/histories/aws-outputs-routing.json")
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(tampered, []byte(strings.ReplaceAll(string(raw), `"create#1"`, `"renamed#1"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, ".", "replay", tampered); r.code != 1 || !strings.Contains(r.stdout, "does not replay at renamed#1 (event 5, ActivityTaskScheduled)") {
		t.Errorf("tampered: %s", r)
	}
	if r := runIn(t, ".", "replay"); r.code != 2 {
		t.Errorf("no files: %s", r)
	}
}
