// Package timeline tells an execution from its Temporal history alone
// (Build): its input, each step with its times, attempts, calls and their
// resolved inputs, outputs, errors, approvals, timers and child
// executions, a playbook's branches and finding, and how it ended; secret
// values shown as ***. Text writes it for people (`runbook history`); its
// JSON is the same data.
package timeline
