package interp

import (
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
)

var listStatus = map[string]string{"running": "Running", "completed": "Completed", "failed": "Failed", "canceled": "Canceled", "terminated": "Terminated", "timedout": "TimedOut"}

// ListQuery is the visibility query of the interpreter's executions,
// optionally of one definition and in one status (running, completed,
// failed, canceled, terminated, timedout).
func ListQuery(definition, status string) (string, error) {
	q := fmt.Sprintf("WorkflowType = '%s'", engine.WorkflowName)
	if definition != "" {
		q += fmt.Sprintf(" AND %s = '%s'", engine.AttrName, strings.ReplaceAll(definition, "'", ""))
	}
	if status != "" {
		st, ok := listStatus[status]
		if !ok {
			return "", fmt.Errorf("status %q: use running, completed, failed, canceled, terminated or timedout", status)
		}
		q += " AND ExecutionStatus = '" + st + "'"
	}
	return q, nil
}

// StatusName is a Temporal execution status in lower case ("running").
func StatusName(s enumspb.WorkflowExecutionStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_"))
}

// SearchAttr reads a keyword search attribute ("" when absent).
func SearchAttr(sa *commonpb.SearchAttributes, key string) string {
	var v string
	if p := sa.GetIndexedFields()[key]; p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
	}
	return v
}

// DefinitionOf is NAME@VERSION from an execution's search attributes.
func DefinitionOf(sa *commonpb.SearchAttributes) string {
	return SearchAttr(sa, engine.AttrName) + "@" + SearchAttr(sa, engine.AttrVersion)
}
