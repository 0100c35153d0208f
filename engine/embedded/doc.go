// Package embedded runs an embedded Temporal server in-process, pure Go, on
// SQLite: what `runbook server` and `runbook run` start when no cluster is
// named. (The HTTP server of `runbook serve` is package serve.)
//
// Start brings up the four Temporal services (frontend, history, matching and
// worker) in the current process, all listening on 127.0.0.1 only, with their
// data in one SQLite file (StateDir/temporal.db, WAL journal). It returns once
// the frontend answers gRPC calls, and at every start it sets, idempotently:
//
//   - the namespace and its retention (registered if absent, updated if the
//     retention differs);
//   - the search attributes of engine.SearchAttributes (only the missing
//     ones are added);
//   - dynamic config that removes the default ~50 ms wait of the history task
//     processors and keeps one partition per task queue, so that a task reaches
//     a polling worker at once; it also sizes the history task schedulers for one
//     process (500 goroutines instead of 3,000) and turns off the system workers
//     (scanners, parent-close-policy worker) that the server's Stop would leave
//     polling.
//
// The database also carries a small table of our own, runbook_meta, holding the
// state-format version of the directory (FormatVersion). A directory written by
// a newer build is refused with a clear message instead of being misread. A lock
// file (StateDir/server.lock, flock) keeps a second process from using the same
// directory at the same time.
//
// The server's own logs go, at warn level and above, to Config.Logger; nothing is
// written to stdout. Optionally, the Temporal Web UI is served on 127.0.0.1.
package embedded
