// Package interp is the one interpreter workflow that runs any Plan, and
// the client side that starts, lists and decides its executions.
//
// The workflow (interp.go, step.go, kinds.go) runs a plan's steps in order
// unless routed, each as its kind's descriptor says (engine.Kind.Runs):
// in the workflow from recorded values, on a durable timer, as an
// activity the steps package implements (call.go, options.go: timeouts,
// retries, idempotency tokens), waiting for approvals sent as updates
// with a validator (approve.go, notify.go, notifyslack.go), as a child execution or once
// per item (child.go, foreach.go). Beside them: playbooks' evidence and
// conclusions (playbook.go), dry runs (dryrun.go), re-runs that reuse
// recorded outputs (rerun.go), execution.account and region
// (identity.go), the secrets an execution knows, which seal its
// payloads (secrets.go), and, before all, the worker's verdict on the
// plan when it runs only its catalog's (admit.go). Every change to what
// it does is guarded by workflow.GetVersion; Replay and the corpus in
// testdata/histories prove old executions still replay.
//
// The client side: StartOptions (start.go: workflow IDs, locks, search
// attributes), ListQuery and the visibility helpers (list.go), Decide
// and Bind (decide.go), Waiting and State (waiting.go), OutcomeOf
// (outcome.go).
package interp
