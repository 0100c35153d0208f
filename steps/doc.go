// Package steps holds the step kinds of the runbook language, one file per
// kind: each a descriptor (engine.Kind: name, summary, typed fields,
// example, and how it runs) that drives validation, the JSON Schema, the
// docs and the interpreter's dispatch, and beside it, for the kinds that
// run as activities, the activity (awscall_run.go, http_run.go,
// script_run.go), and the slack activity that posts human steps' waits
// and executions' events to Slack (slack.go, slackblocks.go). All lists the kinds; activities.go holds the
// activities' registration (Register wires a worker: the interpreter and
// the activities); AWS is the registry of the AWS services the aws-calling
// kinds use.
//
// A new kind is its descriptor file, its entry in All and, when it runs as
// an activity, its activity: nothing in package engine lists kinds. Only a
// kind that runs in the workflow in a way none does yet adds a Runs and
// its run function to package interp.
package steps
