package steps

import "github.com/runbook-dev/runbook/engine"

// Ask waits for a person to answer typed fields: the answer is the step's
// result and, unless it declares others, its outputs.
var Ask = &engine.Kind{
	Name:    KindAsk,
	Summary: "Ask a person a `question` and wait for an answer to its typed `fields` (`runbook answer`, the API, the page, Slack); a bad answer is refused with every problem. The answer is the step's outputs, typed; at the `timeout` the step takes its `default` answer, or fails.",
	Fields: []engine.Field{
		{Name: "question", Type: engine.TextField, Required: true, Doc: "what to ask (Markdown)"},
		{Name: "fields", Type: engine.ParamsField, Required: true, Doc: "the answer's fields, declared as params are: type, enum, pattern, min, max, default, description"},
		linksField,
		{Name: "from", Type: engine.PrincipalsField, Doc: "who may answer: user:NAME or group:NAME (default: the requester and whoever may start the definition)"},
		{Name: "timeout", Type: engine.DurationField, Doc: "the deadline (default 24h)"},
		{Name: "default", Type: engine.DataField, Doc: "the answer taken at the timeout (a field left out takes its own default); without it the timeout fails the step"},
		remindField,
		notifyField,
	},
	ResultOutputs: true,
	OwnTimeout:    true,
	Runs:          engine.RunsAsk,
	Guard:         guardHuman,
	Example: `name: saw
ask:
  question: What does the error log of ${{ params.Service }} show since the alarm?
  links:
    - title: Logs Insights
      url: https://console.aws.amazon.com/cloudwatch/home#logsV2:logs-insights
  fields:
    errorsInLogs: {type: string, enum: ["yes", "no"], description: errors since the alarm}
    note: {type: string, default: "", description: what you saw}
  from: [group:oncall]
  timeout: 30m
  default: {errorsInLogs: "no"}
`,
}
