package steps

import "github.com/runbook-dev/runbook/engine"

// Approve waits for people to approve.
var Approve = &engine.Kind{
	Name:    KindApprove,
	Summary: "Wait until `minApprovals` distinct listed approvers approve (the requester never counts); a rejection or the `timeout` fails the step.",
	Fields: []engine.Field{
		{Name: "approvers", Type: engine.PrincipalsField, Required: true, Doc: "who may approve: user:NAME or group:NAME"},
		{Name: "minApprovals", Type: engine.IntField, Min: 1, Doc: "distinct approvals needed (default 1)"},
		{Name: "message", Type: engine.TextField, Doc: "what the approvers are asked"},
		{Name: "timeout", Type: engine.DurationField, Doc: "the deadline (default 24h); silence never approves"},
		notifyField,
	},
	OwnTimeout: true,
	Runs:       engine.RunsApproval,
	Guard:      guardV1,
	Example: `name: approval
approve:
  approvers: [group:dba-oncall, user:db-lead]
  minApprovals: 1
  message: Fail over ${{ params.ClusterId }}?
  timeout: 30m
`,
}

// notifyField announces a human step's wait and how to act on it.
var notifyField = engine.Field{Name: "notify", Type: engine.ObjectField, OneOf: true, Doc: "announce the wait and how to act on it", Fields: []engine.Field{
	{Name: "sns", Type: engine.TextField, Doc: "an SNS topic ARN"},
	{Name: "http", Type: engine.ObjectField, Doc: "an HTTP request", Fields: []engine.Field{
		{Name: "method", Type: engine.EnumField, Enum: engine.HTTPMethods, Doc: "the HTTP method (default POST)"},
		{Name: "url", Type: engine.TextField, Required: true, Doc: "the URL"},
		{Name: "headers", Type: engine.TextMapField, Doc: "request headers"},
		{Name: "body", Type: engine.DataField, Doc: "a map (sent as JSON) or a string"},
	}},
	{Name: "slack", Type: engine.ObjectField, Doc: "a Slack message with buttons that act on the step (the worker's --slack-token-file; runbook serve takes the clicks)", Fields: []engine.Field{
		{Name: "channel", Type: engine.TextField, Required: true, Doc: "the channel: #NAME or its ID"},
	}},
}}

// guardHuman is the workflow.GetVersion change that brought the manual
// and ask kinds.
const guardHuman = "kinds-manual-ask"

// Fields of the manual and ask kinds.
var (
	linksField  = engine.Field{Name: "links", Type: engine.LinksField, Doc: "where to look: title and URL, computed from params and outputs (a console deep link)"}
	remindField = engine.Field{Name: "remind", Type: engine.DurationField, Doc: "notify again every interval until done"}
)
