package engine

// Activities that reach people in chat and paging services. The
// interpreter calls them by name, like ActivityAWS; steps implements them.
const (
	// ActivitySlack posts (or, given TS, updates) a Slack message: its
	// input is a SlackNotice, its result a SlackPosted.
	ActivitySlack = "slack"
	// ActivityPagerDuty sends a PagerDuty Events API v2 event: its input
	// is a PagerDutyEvent.
	ActivityPagerDuty = "pagerduty"
)

// Events a definition-level notify announces.
const (
	EventStarted   = "started"
	EventFailed    = "failed"
	EventConcluded = "concluded"
	EventSucceeded = "succeeded"
)

// SlackNotice is what the slack activity posts: a human step's wait (Step
// and Approval set: Approve/Reject buttons for an approval, a Done button
// with the checklist for a manual step, an Answer button that opens a
// form of the fields for an ask step) or an execution's event (Event
// set: started, failed, concluded with the finding, succeeded).
type SlackNotice struct {
	Channel   string    `json:"channel"`
	Text      string    `json:"text"` // the notice as plain text: the fallback
	Execution string    `json:"execution"`
	Runbook   string    `json:"runbook"` // NAME@VERSION
	Step      string    `json:"step,omitempty"`
	Approval  *Approval `json:"approval,omitempty"`
	Event     string    `json:"event,omitempty"`
	Finding   *Finding  `json:"finding,omitempty"`
	Error     string    `json:"error,omitempty"`
	// URL is the execution's page (serve's --public-url), "" when unknown.
	URL string `json:"url,omitempty"`
	// TS updates the message posted at TS instead of posting one.
	TS string `json:"ts,omitempty"`
}

// SlackPosted is where the slack activity posted.
type SlackPosted struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// PagerDutyEvent is an Events API v2 event: trigger (with severity and
// summary) or resolve, deduplicated by DedupKey.
type PagerDutyEvent struct {
	// RoutingKey is the integration key, or a ${{ }}-free reference the
	// worker resolves: see the pagerduty target's docs.
	RoutingKey string         `json:"routingKey"`
	Action     string         `json:"action"` // trigger, resolve
	DedupKey   string         `json:"dedupKey"`
	Summary    string         `json:"summary,omitempty"`
	Severity   string         `json:"severity,omitempty"` // critical, error, warning, info
	Source     string         `json:"source,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
	URL        string         `json:"url,omitempty"`
}
