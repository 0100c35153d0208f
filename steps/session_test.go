package steps

import (
	"fmt"
	"strings"
	"testing"
)

func TestSessionName(t *testing.T) {
	hook := "elb-5xx-spike/arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx/2026-12-07T03:12:00.000+0000"
	for _, tc := range []struct{ id, by, want string }{
		{"ec2-restart-1a2b3c4d", "alice", "ec2-restart-1a2b3c4d@alice"},
		{"ec2-restart-1a2b3c4d", "hook:eventbridge", "ec2-restart-1a2b3c4d@hook-eventbridge"},
		{"ec2-restart-1a2b3c4d", "", "ec2-restart-1a2b3c4d"},
		{"runbook-step", "someone with spaces", "runbook-step@someone-with-spaces"},
		{strings.Repeat("x", 60), "alice", strings.Repeat("x", 60)},
		{hook, "alice", "elb-5xx-spike-arn-aws-cloudwatch-us-east-1-123456789012.db29ebe0"},
	} {
		got := sessionName(tc.id, tc.by)
		if got != tc.want || len(got) > maxSessionName {
			t.Errorf("sessionName(%q, %q) = %q (%d), want %q", tc.id, tc.by, got, len(got), tc.want)
		}
	}
}

func TestLRUBound(t *testing.T) {
	l := newLRU(3)
	built := 0
	get := func(k string) any { return l.get(k, func() any { built++; return k }) }
	for i := range 10 {
		get(fmt.Sprint(i))
	}
	get("9") // cached
	get("0") // forgotten: built again
	if l.len() != 3 || built != 11 {
		t.Errorf("%d entries, %d built; want 3 and 11", l.len(), built)
	}
}
