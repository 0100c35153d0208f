// Package archive copies the histories of closed runbook executions out of
// Temporal, so that what happened stays answerable after the namespace's
// retention has deleted them.
//
// An Archiver lists, round after round, the executions of the interpreter
// workflow closed since its checkpoint and writes each one's whole history
// as Temporal's history JSON (what `runbook replay` and engine.ReadHistory
// read) to DEST/<escaped workflow ID>/<run ID>.json, where DEST is a
// directory or an S3 prefix (s3://BUCKET/PREFIX). Writing is idempotent: a
// history already archived is skipped, so several workers may archive to the
// same destination, and a round that stopped halfway is simply done again.
package archive
