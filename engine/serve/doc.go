// Package serve is `runbook serve`'s HTTP server (the embedded Temporal
// server is package embedded): the alarm hooks (SNS, EventBridge, a
// generic signed JSON hook), the Slack hook (clicks on human steps'
// messages and answer forms, decided as the tokens file's callers), the
// routing of alarms to definitions, the
// JSON API for people and tools, the web page, metrics and health. Every
// entry point authenticates: hooks by signature, the API by bearer tokens
// from a tokens file that holds only hashes, the page by a server-side
// session signed in with such a token.
//
// Files: alarm.go (the Alarm every hook yields); sns.go, snscert.go,
// snsalarm.go, eventbridge.go, generic.go (the hooks' parsing and
// verification); slack.go, slackverify.go, slackform.go, slackreply.go
// (the Slack hook: dispatch, signatures, the answer form, what Slack is
// told); tokens.go, tokensfile.go (callers, Slack users among them); session.go (the
// page's sessions); problem.go (errors as application/problem+json);
// metrics.go, metricsdk.go, metricname.go (the Prometheus registry of
// client_golang, the SDK's metrics bridged into it), metricapprovals.go
// (the approvals waiting, read from Temporal); route.go (alarms to definitions); server.go, hooks.go,
// api.go (the handlers); page*.go and templates/ (the web page).
package serve
