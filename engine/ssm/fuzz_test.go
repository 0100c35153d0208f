package ssm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// fuzzSeeds are small documents touching each translation; the corpus's
// documents join them when it is present.
var fuzzSeeds = []string{
	`{"schemaVersion": "0.3", "parameters": {"InstanceId": {"type": "String", "allowedPattern": "^i-[a-z0-9]+$"}},
	  "mainSteps": [{"name": "stop", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": ["{{ InstanceId }}"], "DesiredState": "stopped"}}]}`,
	`schemaVersion: '0.3'
parameters: {Table: {type: String}}
mainSteps:
  - name: describe
    action: aws:executeAwsApi
    inputs: {Service: dynamodb, Api: DescribeTable, TableName: '{{ Table }}'}
    outputs: [{Name: Status, Selector: $.Table.TableStatus, Type: String}]
  - name: choose
    action: aws:branch
    inputs:
      Choices: [{NextStep: done, Variable: '{{ describe.Status }}', StringEquals: ACTIVE}]
      Default: wait
  - name: wait
    action: aws:sleep
    inputs: {Duration: PT1M}
  - name: done
    action: aws:approve
    inputs: {Approvers: [arn:aws:iam::123456789012:user/alice], MinRequiredApprovals: 1}
    isEnd: true
`,
	`{"schemaVersion": "2.2"}`,
	`not: [an, ssm, document`,
}

// FuzzImport feeds arbitrary documents to the importer and the validation
// of what it writes: it must never panic or hang, and whatever it says
// imported and valid must validate again on its own.
func FuzzImport(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	if dir := os.Getenv("RUNBOOK_SSM_CORPUS"); dir != "" {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range paths[:min(len(paths), 50)] {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
	}
	opts, vopts := importOptions()
	f.Fuzz(func(t *testing.T, src []byte) {
		o := ImportAndValidate("fuzz.json", src, opts, vopts)
		if !o.Valid() {
			return
		}
		r := engine.Validate([]engine.File{{Path: o.Result.Name + ".yaml", Src: o.Result.YAML}}, vopts)
		if r.Diags.HasErrors() {
			t.Fatalf("imported as valid, but does not validate:\n%s\n%v", o.Result.YAML, r.Diags)
		}
	})
}
