// Command runbook is the CLI of the runbook engine, and the only part of it
// that reads flags and the environment, dials Temporal and loads the AWS
// configuration. Each command lives in the file named after it:
//
//   - run and start (run.go), watch, status, list, cancel, history, retry,
//     replay: start executions and follow or inspect them;
//   - approvals, approve and reject (approvals.go): the human decisions;
//   - server (server.go: the embedded Temporal server, a worker and the Web
//     UI), worker (server.go) and serve (serve.go: a worker and the HTTP
//     server of alarm hooks, API, web page and metrics);
//   - validate, plan, test, catalog, import ssm, schema and docs (docs.go):
//     authoring;
//   - keygen (codec.go) and version.
//
// The helpers beside them: conn.go (where executions run: --address, the
// Temporal CLI's connection flags, or an embedded server), apiclient.go and
// apicommands.go (API mode: with --server the client commands go through
// runbook serve's JSON API as the bearer token's identity), follow.go (the
// live step-by-step printer of run and watch), files.go (reading
// definitions and walking directories), format.go and sarif.go (the
// diagnostic formats).
//
// Exit codes: 0 success; 1 invalid definition, failed, cancelled or
// timed-out execution, or refused request; 2 usage error; 3 Temporal (or
// the --server) unreachable.
package main
