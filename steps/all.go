package steps

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine"
)

// All returns every step kind, in documentation order. It panics on a
// duplicate or empty name, as database/sql.Register does.
func All() engine.Kinds {
	ks := engine.Kinds{AWSCall, WaitFor, Assert, Approve, Sleep, Run, ForEach, HTTP, Log, Script, Fail, Succeed, Conclude}
	seen := map[string]bool{}
	for _, k := range ks {
		if k.Name == "" || seen[k.Name] {
			panic(fmt.Sprintf("steps: empty or duplicate kind name %q", k.Name))
		}
		seen[k.Name] = true
	}
	return ks
}

// Shared fields.
var (
	inputField = engine.Field{Name: "input", Type: engine.DataField, Doc: "the operation's input fields, as named in aws-sdk-go-v2"}
	opField    = engine.Field{Name: "aws", Type: engine.OperationField, Required: true, Doc: "service:Operation, as in aws-sdk-go-v2"}
)
