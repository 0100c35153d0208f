package casetest

import (
	"slices"
	"time"

	"github.com/runbook-dev/runbook/engine"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"gopkg.in/yaml.v3"
)

// The recording of the decisions an execution accepted (see Record).

// peopleKey is where a recorded case lists its decisions: approvals when
// all are approvals (as before done and answer), people when a done or
// an answer is among them.
func (r *recorder) peopleKey() string {
	if r.people {
		return "people"
	}
	return "approvals"
}

// approval records an accepted decision: who, which step, how long after
// the step began waiting.
func (r *recorder) approval(acc *historypb.HistoryEvent, success *commonpb.Payloads, failed bool) {
	req := acc.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest()
	if req == nil {
		return
	}
	dc := converter.GetDefaultDataConverter()
	var d engine.Decision
	if dc.FromPayloads(req.GetInput().GetArgs(), &d) != nil {
		return
	}
	var a engine.Approval
	var after time.Duration
	if !failed && dc.FromPayloads(success, &a) == nil {
		for _, x := range a.Decisions {
			if x.Identity == d.Identity {
				d.Step = x.Step
				if !a.Since.IsZero() { // recorded by builds that note the wait's start
					after = max(x.Time.Sub(a.Since).Round(time.Second), 0)
				}
			}
		}
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	if d.Step != "" {
		ySet(n, "step", yNode(d.Step))
	}
	ySet(n, "by", yNode(d.Identity))
	if len(d.Groups) > 0 {
		ySet(n, "groups", yFlow(yNode(d.Groups)))
	}
	if after > 0 {
		ySet(n, "after", yNode(engine.FormatDuration(after)))
	}
	verb := req.GetInput().GetName()
	if verb != engine.UpdateApprove {
		ySet(n, "decision", yNode(verb))
	}
	switch {
	case d.Comment != "" && verb == engine.UpdateDone:
		ySet(n, "note", yNode(d.Comment))
	case d.Comment != "":
		ySet(n, "comment", yNode(d.Comment))
	}
	if verb == engine.UpdateDone && !slices.Equal(d.Checked, a.Checklist) {
		ySet(n, "checked", yFlow(yNode(d.Checked)))
	}
	if verb == engine.UpdateAnswer {
		ySet(n, "answer", yFlow(yNode(d.Answer)))
	}
	if verb == engine.UpdateDone || verb == engine.UpdateAnswer {
		r.people = true
	}
	if failed {
		ySet(n, "refused", yNode(true))
	}
	r.approvals = append(r.approvals, n)
}
