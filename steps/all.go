package steps

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine"
)

// All returns every step kind, in documentation order. It panics on a
// duplicate or empty name, as database/sql.Register does, and on a kind
// that does not say how it runs.
func All() engine.Kinds {
	ks := engine.Kinds{AWSCall, WaitFor, Assert, Approve, Manual, Ask, Sleep, Run, ForEach, HTTP, Log, Script, Fail, Succeed, Conclude}
	seen := map[string]bool{}
	for _, k := range ks {
		if k.Name == "" || seen[k.Name] {
			panic(fmt.Sprintf("steps: empty or duplicate kind name %q", k.Name))
		}
		switch {
		case k.Runs == 0:
			panic(fmt.Sprintf("steps: kind %s does not say how it runs (Runs)", k.Name))
		case k.Runs == engine.RunsActivity && k.Activity == "":
			panic(fmt.Sprintf("steps: kind %s runs as an activity but names none (Activity)", k.Name))
		}
		seen[k.Name] = true
	}
	return ks
}

// The kinds' names, as definitions write them.
const (
	KindAWS      = "aws"
	KindWaitFor  = "waitFor"
	KindAssert   = "assert"
	KindApprove  = "approve"
	KindManual   = "manual"
	KindAsk      = "ask"
	KindSleep    = "sleep"
	KindRun      = "run"
	KindForEach  = "forEach"
	KindHTTP     = "http"
	KindLog      = "log"
	KindScript   = "script"
	KindFail     = "fail"
	KindSucceed  = "succeed"
	KindConclude = "conclude"
)

// guardV1 is the workflow.GetVersion change that brought the kinds after
// the first ones (see engine.Kind.Guard).
const guardV1 = "kinds-approve-run-forEach-http-script"

// Shared fields.
var (
	inputField = engine.Field{Name: "input", Type: engine.DataField, Doc: "the operation's input fields, as named in aws-sdk-go-v2"}
	opField    = engine.Field{Name: "aws", Type: engine.OperationField, Required: true, Doc: "service:Operation, as in aws-sdk-go-v2"}
)
