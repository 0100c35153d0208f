package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/steps"
)

// generated writes n distinct runbooks of a realistic mix: AWS calls with
// typed inputs and output paths, a waitFor, an assert, a branch, a sleep.
func generated(n int) []engine.File {
	files := make([]engine.File, n)
	for i := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: runbook/v1\nkind: Runbook\nname: gen-%d\nversion: 1.%d.0\n", i, i%7)
		b.WriteString("params:\n  InstanceId: {type: string, pattern: '^i-[0-9a-f]+$'}\n  Force: {type: bool, default: false}\n")
		b.WriteString("steps:\n")
		b.WriteString("  - name: describe\n    aws: ec2:DescribeInstances\n    input: {InstanceIds: [\"${{ params.InstanceId }}\"]}\n")
		b.WriteString("    outputs:\n      state: result.Reservations[0].Instances[0].State.Name\n      type: result.Reservations[0].Instances[0].InstanceType\n")
		b.WriteString("    branch:\n      - when: steps.describe.state == \"stopped\" && !params.Force\n        goto: done\n")
		b.WriteString("  - name: stop\n    aws: ec2:StopInstances\n    input: {InstanceIds: [\"${{ params.InstanceId }}\"], Force: \"${{ params.Force }}\"}\n")
		b.WriteString("  - name: stopped\n    waitFor:\n      aws: ec2:DescribeInstances\n      input: {InstanceIds: [\"${{ params.InstanceId }}\"]}\n      until: result.Reservations[0].Instances[0].State.Name == \"stopped\"\n      timeout: 10m\n")
		fmt.Fprintf(&b, "  - name: settle\n    sleep: %ds\n", 10+i%50)
		b.WriteString("  - name: done\n    assert: steps.describe.type != \"\"\n    message: instance ${{ params.InstanceId }} is ${{ steps.describe.state }}\n")
		b.WriteString("outputs:\n  state: steps.describe.state\n")
		files[i] = engine.File{Path: fmt.Sprintf("gen-%d.yaml", i), Src: []byte(b.String())}
	}
	return files
}

// BenchmarkValidate1000 validates 1,000 generated runbooks in one call;
// ns/def is the time per definition.
func BenchmarkValidate1000(b *testing.B) {
	files := generated(1000)
	opts := engine.Options{Kinds: steps.All(), Services: steps.AWS()}
	if r := engine.Validate(files[:1], opts); r.Diags.HasErrors() {
		b.Fatal(r.Diags)
	}
	b.ResetTimer()
	for b.Loop() {
		r := engine.Validate(files, opts)
		if len(r.Plans) != len(files) {
			b.Fatalf("%d plans for %d files: %v", len(r.Plans), len(files), r.Diags)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(files)), "ns/def")
}
