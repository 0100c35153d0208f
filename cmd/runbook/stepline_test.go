package main

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// TestStepLineApproval: only a succeeded approve step says who approved
// it; a cancelled one, decided or not, says nothing of the kind.
func TestStepLineApproval(t *testing.T) {
	alice := &engine.Decision{Identity: "alice", Decision: engine.UpdateApprove}
	tests := []struct {
		name   string
		status string
		ds     []*engine.Decision
		want   string // "" when the line must not say "approved by"
	}{
		{"approved", engine.StatusSucceeded, []*engine.Decision{alice}, "approved by alice"},
		{"cancelled undecided", engine.StatusCancelled, nil, ""},
		{"cancelled after one of two", engine.StatusCancelled, []*engine.Decision{alice}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := stepLine(style{}, &engine.StepRecord{Name: "gate", Kind: "approve", Status: tt.status, Approval: &engine.Approval{MinApprovals: 2, Decisions: tt.ds}})
			if tt.want == "" && strings.Contains(line, "approved by") || tt.want != "" && !strings.Contains(line, tt.want) {
				t.Errorf("stepLine: %q, want %q", line, tt.want)
			}
		})
	}
}
