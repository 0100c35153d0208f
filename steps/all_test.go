package steps_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/runbooks"
	"github.com/runbook-dev/runbook/steps"
)

// exampleHead declares what the kinds' examples read: params, and a step
// describe before them (a playbook's start).
const exampleHead = `apiVersion: runbook/v1
kind: %KIND%
name: example
version: 1.0.0
params:
  ClusterId: {type: string, default: db}
  InstanceId: {type: string, default: i-0123456789abcdef0}
  InstanceIds: {type: list, default: []}
  Host: {type: string, default: example.com}
  Cluster: {type: string, default: prod}
  Service: {type: string, default: api}
%STEPS%:
`

// describe is the step the examples read (the aws example is this step).
const describe = `  - name: describe
    aws: rds:DescribeDBClusters
    outputs:
      status: result.DBClusters[0].Status
`

// TestExamples validates every kind's Example (the docs show them) as a
// step of a definition, with the shipped library to run.
func TestExamples(t *testing.T) {
	var catalog []engine.File
	names, _ := fs.Glob(runbooks.FS, "*.yaml")
	for _, n := range names {
		src, err := fs.ReadFile(runbooks.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		catalog = append(catalog, engine.File{Path: "runbooks/" + n, Src: src})
	}
	opts := engine.Options{Kinds: steps.All(), Services: steps.AWS(), Catalog: catalog}
	for _, k := range steps.All() {
		t.Run(k.Name, func(t *testing.T) {
			head := strings.NewReplacer("%KIND%", "Runbook", "%STEPS%", "steps").Replace(exampleHead)
			if k.PlaybookOnly {
				head = strings.NewReplacer("%KIND%", "Playbook", "%STEPS%", "start: describe\nnodes").Replace(exampleHead)
			}
			if !strings.Contains(k.Example, "\n"+k.Name+":") && !strings.HasPrefix(k.Example, k.Name+":") {
				t.Fatalf("the example does not use %s:\n%s", k.Name, k.Example)
			}
			if !strings.HasPrefix(k.Example, "name: describe\n") {
				head += describe
			}
			src := head + "  - " + strings.ReplaceAll(strings.TrimSuffix(k.Example, "\n"), "\n", "\n    ") + "\n"
			r := engine.Validate([]engine.File{{Path: "example.yaml", Src: []byte(src)}}, opts)
			if r.Diags.HasErrors() || len(r.Plans) != 1 {
				t.Errorf("the example of %s does not validate:\n%s\n%v", k.Name, src, r.Diags)
			}
		})
	}
}
