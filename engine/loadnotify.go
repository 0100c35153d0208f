package engine

import (
	"cmp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Notify is one target of a definition's notify: the events it
// announces (On, as written; nil: the defaults, see NotifyDefaults) and
// where (Target: sns, http, slack or pagerduty, with its Value).
type Notify struct {
	Pos    Pos
	On     []Ident
	Target string
	Value  *Value
}

// HTTPMethods are the methods an http step or notice may use.
var HTTPMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// Events lists the execution events a definition's notify announces.
var Events = []string{EventStarted, EventFailed, EventConcluded, EventSucceeded}

// NotifyTargets are the targets of a definition-level notify entry, each
// written as its only key beside `on`. They drive the loader, the schema
// and the docs.
var NotifyTargets = []Field{
	{Name: "sns", Type: TextField, Doc: "an SNS topic ARN (sns:Publish)"},
	{Name: "http", Type: ObjectField, Doc: "an HTTP request; without body, the event as JSON", Fields: []Field{
		{Name: "method", Type: EnumField, Enum: HTTPMethods, Doc: "the HTTP method (default POST)"},
		{Name: "url", Type: TextField, Required: true, Doc: "the URL"},
		{Name: "headers", Type: TextMapField, Doc: "request headers"},
		{Name: "body", Type: DataField, Doc: "a map (sent as JSON) or a string"},
	}},
	{Name: "slack", Type: ObjectField, Doc: "a Slack message (the worker's Slack app posts it)", Fields: []Field{
		{Name: "channel", Type: TextField, Required: true, Doc: "the channel: #name or an ID"},
	}},
	{Name: "pagerduty", Type: ObjectField, Doc: "a PagerDuty Events API v2 event: trigger on failed and concluded, resolve on succeeded", Fields: []Field{
		{Name: "service", Type: TextField, Required: true, Doc: "the service, literal: the worker's --pagerduty-keys file maps it to its routing key, never written in definitions"},
	}},
}

// notifyOnDoc documents `on`.
const notifyOnDoc = "the events announced: started, failed, concluded (playbooks), succeeded; default failed (and concluded in playbooks; pagerduty adds succeeded, which resolves)"

// NotifyDefaults are the events a notify target announces when it lists
// none: failed, and concluded in a playbook; a pagerduty target adds
// succeeded, which resolves the incident a failure triggered.
func NotifyDefaults(kind, target string) []string {
	on := []string{EventFailed}
	if kind == KindPlaybook {
		on = append(on, EventConcluded)
	}
	if target == "pagerduty" {
		on = append(on, EventSucceeded)
	}
	return on
}

// notify reads a definition's notify: a list of targets, each one of
// NotifyTargets with the events it announces.
func (l *loader) notify(n *yaml.Node) []*Notify {
	n = Deref(n)
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "notify must be a list of targets, not %s", Describe(n)).Hint = "write `- {slack: {channel: '#ops'}, on: [failed]}`"
		return nil
	}
	keys := append(fieldNames(NotifyTargets), "on")
	var out []*Notify
	for _, c := range n.Content {
		nt := &Notify{Pos: l.Pos(c)}
		var targets []string
		unknown := false
		for _, p := range l.Mapping(c, "notify target", keys) {
			switch {
			case !p.Known:
				unknown = true
			case p.Key == "on":
				nt.On = l.events(p.V)
			default:
				targets = append(targets, p.Key)
				nt.Target = p.Key
				nt.Value = l.argValue(&Step{}, fieldNamed(NotifyTargets, p.Key), p.V, "notify "+p.Key)
			}
		}
		if Deref(c).Kind == yaml.MappingNode && len(targets) != 1 && !(unknown && len(targets) == 0) {
			l.Errorf(c, "a notify target takes exactly one of %s", strings.Join(fieldNames(NotifyTargets), ", ")).Hint = "write one target per list entry"
		}
		out = append(out, nt)
	}
	return out
}

// events reads `on`: a list of Events, concluded only in playbooks.
func (l *loader) events(n *yaml.Node) []Ident {
	n = Deref(n)
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		l.Errorf(n, "on is empty: the target would announce nothing").Hint = "list events (" + strings.Join(Events, ", ") + ") or leave on out for the defaults"
	}
	list := l.StrList(n, "on")
	for _, e := range list {
		switch {
		case e.Name == EventConcluded && !l.inPlaybook:
			l.Diags.Errorf(e.Pos, "concluded is only for playbooks: a runbook never concludes").Hint = "use succeeded or failed"
		case e.Name != "" && !slices.Contains(Events, e.Name):
			l.Diags.Errorf(e.Pos, "unknown event %q", e.Name).Hint = cmp.Or(DidYouMean(e.Name, Events), "events are "+strings.Join(Events, ", "))
		}
	}
	return list
}
