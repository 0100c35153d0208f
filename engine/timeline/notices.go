package timeline

import (
	"fmt"
	"io"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	commonpb "go.temporal.io/api/common/v1"
)

// noticeCall fills an event notice's call from its input: sns and http
// notices are a Call as a step's are; a slack notice shows its channel,
// a pagerduty one its action, service (never a key: histories hold
// none), dedup key and severity.
func noticeCall(x *Activity, in *commonpb.Payloads) {
	switch x.Type {
	case engine.ActivityPagerDuty:
		var ev engine.PagerDutyEvent
		if decode(in, &ev) == nil {
			x.Op = ev.Action
			x.Input = map[string]any{"service": strings.TrimPrefix(ev.RoutingKey, "service:"), "dedupKey": ev.DedupKey}
			if ev.Severity != "" {
				x.Input["severity"] = ev.Severity
			}
		}
	case engine.ActivitySlack:
		var n engine.SlackNotice
		if decode(in, &n) == nil {
			x.Input = map[string]any{"channel": n.Channel}
		}
	default:
		var c engine.Call
		if decode(in, &c) == nil {
			x.Op, x.Input, x.Region = c.Op, map[string]any{}, c.Region
			for k, v := range c.Input {
				if k != "body" && k != "Message" && k != "method" { // the notice's text: long, and told by the timeline
					x.Input[k] = v
				}
			}
		}
	}
}

// noticesText writes the event notices, one line each.
func (t *Timeline) noticesText(w io.Writer) {
	for _, x := range t.Notices {
		fmt.Fprintf(w, "  %s: %s\n", x.Event, x.text(nil))
	}
}
