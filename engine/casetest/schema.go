package casetest

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine"
)

// SchemaFile is the file name of the committed JSON Schema of test files,
// at the repository root.
const SchemaFile = "runbook-test.schema.json"

// fieldDocs describes each field of a test file's parts, for the schema.
// Schema panics on a field the loader reads (the test*Fields lists) that
// has no description here, so the two cannot drift apart.
var fieldDocs = map[string]string{
	"definition":  "the definition this file tests, relative to it (default: NAME.yaml beside NAME.test.yaml)",
	"cases":       "the cases, each run on Temporal's test environment",
	"name":        "the case's name, unique in the file",
	"description": "what the case checks",
	"params":      "the params of the execution, checked as `runbook run` checks them",
	"requester":   "who starts the execution (default tester); never approves",
	"alarm":       "the alarm event, when a trigger is tested",
	"calls":       "canned responses by step name or operation (service:Operation): one response, or a list for successive calls",
	"http":        "http steps' responses by step name: {status, headers, body, json}, or a canned response",
	"approvals":   "what people do, sent as the workflow's own updates: approve, reject, done, answer",
	"people":      "the same list as approvals, under a name that fits done-marks and answers (give one of them)",
	"note":        "a done-mark's note (the step's output note)",
	"checked":     "the checklist items a done-mark confirms: all (the default) or a list",
	"answer":      "an answer's fields: FIELD: VALUE",
	"expect":      "what the outcome must be; unset fields are not checked",
	"result":      "what the call returned: the operation's output, {status, headers, body, json} for http, {stdout, stderr, exitCode} for script",
	"outputs":     "the step's outputs (in a response), or the execution's outputs (in expect, only those listed)",
	"met":         "with outputs: whether a wait's or check's condition held",
	"error":       "the call fails with this error type (in a response), or the error type that failed the execution (in expect)",
	"code":        "the error type: an AWS error code such as ThrottlingException",
	"message":     "the error's message (in an error), or text in the execution's error or final message (in expect)",
	"retryable":   "whether the step's retry policy retries the error",
	"step":        "the approve step (loop[0].approval inside forEach); without it, after counts from the start",
	"by":          "who decides",
	"groups":      "the decider's groups",
	"after":       "how long after the step starts waiting the decision is sent (default 0)",
	"decision":    "approve, reject, done or answer (default: from the step's kind)",
	"comment":     "the decision's comment",
	"refused":     "the workflow is expected to refuse this decision",
	"status":      "the execution's final status (default succeeded; failed when failed or error is set)",
	"failed":      "the step that failed the execution",
	"path":        "the top-level steps that ran, in order (skipped ones aside)",
	"steps":       "statuses of step records by name (loop[0].step inside forEach)",
	"finding":     "the playbook's finding",
	"node":        "the node that concluded",
	"severity":    "the finding's severity",
	"recommend":   "the definition recommended, NAME@RANGE",
}

// Schema returns the JSON Schema (draft 2020-12) of runbook test files
// (NAME.test.yaml), generated from the fields the loader reads, for
// editors. The output is stable. Load and Check check more.
func Schema() []byte {
	o := engine.SchemaObject
	str := []any{"type", "string"}
	boolean := []any{"type", "boolean"}
	object := []any{"type", "object"}
	strList := []any{"type", "array", "items", o(str...)}
	ref := func(name string) any { return o("$ref", "#/$defs/"+name) }
	oneOrMore := func(item any) any {
		return o("oneOf", []any{item, o("type", "array", "minItems", 1, "items", item)})
	}
	response := o("type", "object", "additionalProperties", false, "minProperties", 1,
		"properties", props(testResponseFields, map[string][]any{
			"result": {}, "outputs": object, "met": boolean,
			"error": {"oneOf", []any{o(str...), o("type", "object", "required", []string{"code"}, "additionalProperties", false,
				"properties", props(testErrorFields, map[string][]any{"code": str, "message": str, "retryable": boolean}))}},
		}))
	testCase := o("type", "object", "required", []string{"name"}, "additionalProperties", false,
		"properties", props(testCaseFields, map[string][]any{
			"name": str, "description": str, "requester": str, "params": object, "alarm": object,
			"calls":     {"type", "object", "additionalProperties", oneOrMore(ref("response"))},
			"http":      {"type", "object", "additionalProperties", oneOrMore(o(object...))},
			"approvals": {"type", "array", "items", ref("approval")},
			"people":    {"type", "array", "items", ref("approval")},
			"expect":    {"$ref", "#/$defs/expect"},
		}))
	approval := o("type", "object", "required", []string{"by"}, "additionalProperties", false,
		"properties", props(testApprovalFields, map[string][]any{
			"step": str, "by": str, "groups": strList, "comment": str, "refused": boolean, "note": str, "answer": object,
			"checked":  {"oneOf", []any{o("const", "all"), o(strList...)}},
			"after":    {"type", "string", "pattern", `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$`},
			"decision": {"enum", []string{engine.UpdateApprove, engine.UpdateReject, engine.UpdateDone, engine.UpdateAnswer}},
		}))
	expect := o("type", "object", "additionalProperties", false,
		"properties", props(testExpectFields, map[string][]any{
			"status": {"enum", []string{engine.StatusSucceeded, engine.StatusFailed, engine.StatusTimedOut, engine.StatusCancelled}},
			"failed": str, "error": str, "message": str, "path": strList, "outputs": object,
			"steps": {"type", "object", "additionalProperties", o(str...)},
			"finding": {"type", "object", "additionalProperties", false, "properties", props(testFindingFields, map[string][]any{
				"node": str, "severity": str, "finding": str, "recommend": str,
			})},
		}))
	root := engine.SchemaDocument(SchemaFile, "runbook test file",
		"A runbook test file (NAME.test.yaml beside NAME.yaml), run by `runbook test`. Generated by `runbook schema test`; `runbook test` checks more than this schema can.",
		"type", "object", "required", []string{"cases"}, "additionalProperties", false,
		"properties", props(testFileFields, map[string][]any{
			"definition": str,
			"cases":      {"type", "array", "items", ref("case")},
		}),
		"$defs", o("case", testCase, "response", response, "approval", approval, "expect", expect),
	)
	return engine.EncodeSchema(root)
}

// props is the properties object of fields, in their order, each with
// its schema from types (key, value pairs) and its description from fieldDocs.
func props(fields []string, types map[string][]any) any {
	var kv []any
	for _, f := range fields {
		doc, ok := fieldDocs[f]
		t, typed := types[f]
		if !ok || !typed {
			panic(fmt.Sprintf("casetest: schema: field %s has no description or type", f))
		}
		kv = append(kv, f, engine.SchemaObject(append([]any{"description", doc}, t...)...))
	}
	return engine.SchemaObject(kv...)
}
