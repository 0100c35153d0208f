package ssm

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenDocs are representative corpus documents, by the actions they
// show; their translations are kept under testdata.
var goldenDocs = []string{
	"AWS-RestartEC2Instance",   // changeInstanceState, a StringList param
	"AWS-RebootRdsInstance",    // executeAwsApi, waitForAwsResourceProperty, assert
	"AWS-ReleaseElasticIP",     // branch, inline Python executeScript, outputs
	"AWS-SetupManagedInstance", // executeAutomation, runCommand, branch
	"AWS-AttachEBSVolume",      // createStack, deleteStack
	"AWS-CreateImage",          // createImage
}

// TestGolden translates the golden documents and compares the runbooks
// with testdata (refresh with -update); each must validate.
func TestGolden(t *testing.T) {
	dir := corpusDir(t)
	opts, vopts := importOptions()
	for _, name := range goldenDocs {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".json")
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			o := ImportAndValidate(p, src, opts, vopts)
			if !o.Valid() {
				t.Fatalf("not imported: %v %v", o.Err, o.Invalid)
			}
			golden := filepath.Join("testdata", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, o.Result.YAML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(o.Result.YAML, want) {
				t.Errorf("translation differs from %s (rerun with -update and review the diff):\n%s", golden, o.Result.YAML)
			}
		})
	}
}

// TestImportErrors: documents that are not Automation documents, or are
// malformed, are errors; steps with no faithful translation are Problems
// naming the step.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
		problems        bool
	}{
		{"empty", "", "empty document", false},
		{"bad JSON", `{"schemaVersion": "0.3",`, "malformed JSON", false},
		{"bad YAML", "schemaVersion: [0.3", "malformed YAML", false},
		{"a list", "[1, 2]", "top level is not a mapping", false},
		{"a Command document", `{"schemaVersion": "2.2", "mainSteps": []}`, `schemaVersion is "2.2", not 0.3`, false},
		{"no schemaVersion", `{"mainSteps": []}`, "no schemaVersion", false},
		{"no mainSteps", `{"schemaVersion": "0.3"}`, "no mainSteps", false},
		{"a step without action", `{"schemaVersion": "0.3", "mainSteps": [{"name": "a"}]}`, "step 1 has no name or no action", false},
		{"a goto to nowhere", `{"schemaVersion": "0.3", "mainSteps": [{"name": "a", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}, "nextStep": "b"}]}`, `no step named "b"`, true},
		{"PowerShell", "schemaVersion: '0.3'\nmainSteps:\n- name: ps\n  action: aws:executeScript\n  inputs: {Runtime: PowerShell 7.4, Script: 'Write-Host 1', Handler: x}\n", "step ps (aws:executeScript): executeScript: runtime PowerShell 7.4 has no shim", true},
		{"a variable two assignments may reach", "schemaVersion: '0.3'\nvariables: {v: {type: String, default: a}}\nparameters: {P: {type: String}}\nmainSteps:\n- name: b\n  action: aws:branch\n  inputs: {Choices: [{NextStep: set, Variable: '{{ P }}', StringEquals: x}], Default: use}\n- name: set\n  action: aws:updateVariable\n  inputs: {Name: 'variable:v', Value: x}\n- name: use\n  action: aws:sleep\n  inputs: {Duration: 'PT{{ variable:v }}S'}\n", "step use: variables: a read that different assignments may reach: variable:v", true},
		{"a loop assigning a variable", "schemaVersion: '0.3'\nvariables: {v: {type: String}}\nmainSteps:\n- name: l\n  action: aws:loop\n  inputs: {Iterators: [a, b], Steps: [{name: set, action: aws:updateVariable, inputs: {Name: 'variable:v', Value: '{{ l.CurrentIteratorValue }}'}}]}\n", "variables: a loop assigns a variable", true},
		{"an unknown variable", "schemaVersion: '0.3'\nmainSteps:\n- name: s\n  action: aws:sleep\n  inputs: {Duration: 'PT{{ variable:v }}S'}\n", "reference to an unknown variable: v", true},
		{"approvers from a parameter", "schemaVersion: '0.3'\nparameters: {A: {type: StringList}}\nmainSteps:\n- name: ok\n  action: aws:approve\n  inputs: {Approvers: '{{ A }}'}\n", "approvers come from a parameter", true},
		{"boto3's ResponseMetadata", "schemaVersion: '0.3'\nmainSteps:\n- name: m\n  action: aws:executeAwsApi\n  inputs: {Service: ec2, Api: ModifySubnetAttribute, SubnetId: s}\n  outputs: [{Name: R, Selector: $.ResponseMetadata, Type: StringMap}]\n", "ResponseMetadata, which the SDK output does not carry: $.ResponseMetadata", true},
		{"a recursive selector with several matches", "schemaVersion: '0.3'\nmainSteps:\n- name: d\n  action: aws:executeAwsApi\n  inputs: {Service: ec2, Api: DescribeInstances}\n  outputs: [{Name: A, Selector: $..AttachTime, Type: StringList}]\n", "recursive `..` selector matches several fields: AttachTime", true},
		{"a default that refers to itself", "schemaVersion: '0.3'\nparameters: {P: {type: String, default: 'a{{ P }}'}}\nmainSteps:\n- name: s\n  action: aws:sleep\n  inputs: {Duration: 'PT{{ P }}S'}\n", "a parameter default that refers to itself: P", true},
		{"a list default holding references", "schemaVersion: '0.3'\nparameters: {P: {type: StringList, default: ['{{ global:REGION }}']}}\nmainSteps:\n- name: s\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n", "a parameter default that is not a string holds references: P", true},
		{"assumeRole from a default in Parameter Store", "schemaVersion: '0.3'\nassumeRole: '{{ R }}'\nparameters: {R: {type: String, default: '{{ ssm:/role }}'}}\nmainSteps:\n- name: s\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n", "assumeRole: a parameter whose default reads Parameter Store (the header cannot read steps): R", true},
		{"a Parameter Store reference without a name", "schemaVersion: '0.3'\nmainSteps:\n- name: s\n  action: aws:sleep\n  inputs: {Duration: 'PT{{ ssm: }}S'}\n", "Parameter Store reference without a parameter name", true},
		{"an unknown reference", "schemaVersion: '0.3'\nmainSteps:\n- name: s\n  action: aws:sleep\n  inputs: {Duration: 'PT{{ Nope }}S'}\n", "reference to an unknown parameter: Nope", true},
	}
	opts, _ := importOptions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Import("doc.json", []byte(tt.src), opts)
			if err == nil || r != nil {
				t.Fatalf("Import = %v, %v; want an error", r, err)
			}
			var ps Problems
			if errors.As(err, &ps) != tt.problems {
				t.Errorf("error %q: Problems %v, want %v", err, !tt.problems, tt.problems)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestImportYAML: a YAML document imports like its JSON form, and the
// runbook validates.
func TestImportYAML(t *testing.T) {
	src := `schemaVersion: '0.3'
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  InstanceId: {type: String, allowedPattern: '^i-[a-z0-9]{8,17}$'}
  Mode: {type: String, default: fast, allowedValues: [fast, slow]}
  AutomationAssumeRole: {type: String, default: ''}
mainSteps:
- name: check
  action: aws:branch
  inputs:
    Choices:
    - {NextStep: wait, Variable: '{{ Mode }}', StringEquals: slow}
    Default: describe
- name: wait
  action: aws:sleep
  inputs: {Duration: PT1M30S}
- name: describe
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: describe_instances, InstanceIds: ['{{ InstanceId }}']}
  outputs:
  - {Name: State, Selector: '$.Reservations[0].Instances[0].State.Name', Type: String}
  - {Name: Ids, Selector: '$.Reservations..Instances..InstanceId', Type: StringList}
outputs: [describe.State]
`
	opts, vopts := importOptions()
	o := ImportAndValidate("check.yaml", []byte(src), opts, vopts)
	if !o.Valid() {
		t.Fatalf("not imported: %v %v", o.Err, o.Invalid)
	}
	for _, want := range []string{
		"sleep: 1m30s",
		"aws: ec2:DescribeInstances",
		"when: string(params.Mode) == \"slow\"",
		"State: result.Reservations[0].Instances[0].State.Name",
		"flatten(map(result.Reservations, map(#.Instances, #.InstanceId)))",
		"describe_State: steps.describe.State",
		"assumeRole: ${{ params.AutomationAssumeRole }}",
	} {
		if !strings.Contains(string(o.Result.YAML), want) {
			t.Errorf("runbook lacks %q:\n%s", want, o.Result.YAML)
		}
	}
	_ = engine.Error
}

// TestResumers: Options.Resumers approve an imported aws:pause (repeats
// once); an entry that is not user:NAME or group:NAME is an error.
func TestResumers(t *testing.T) {
	src := "schemaVersion: '0.3'\nmainSteps:\n- name: wait\n  action: aws:pause\n  inputs: {}\n"
	tests := []struct {
		name     string
		resumers []string
		want     string
		err      bool
	}{
		{"default", nil, "approvers:\n        - group:ssm-resumers\n      message", false},
		{"given", []string{"user:alice", "group:ops", "user:alice"}, "approvers:\n        - user:alice\n        - group:ops\n      message", false},
		{"not a principal", []string{"group:ops", "alice"}, `resumer "alice" is not user:NAME or group:NAME`, true},
		{"an empty name", []string{"group:"}, `resumer "group:" is not user:NAME or group:NAME`, true},
	}
	opts, vopts := importOptions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts.Resumers = tt.resumers
			o := ImportAndValidate("pause.yaml", []byte(src), opts, vopts)
			switch {
			case tt.err && (o.Err == nil || !strings.Contains(o.Err.Error(), tt.want) || o.Result != nil):
				t.Errorf("Import = %v, %v; want the error %q", o.Result, o.Err, tt.want)
			case !tt.err && !o.Valid():
				t.Fatalf("not imported: %v %v", o.Err, o.Invalid)
			case !tt.err && !strings.Contains(string(o.Result.YAML), tt.want):
				t.Errorf("runbook lacks %q:\n%s", tt.want, o.Result.YAML)
			}
		})
	}
}

// TestOnCancel: onCancel Abort is v1's cancel; a handler step is noted in
// Result.Notes and the step's description (a v1 cancel cannot run it);
// anything else is an error.
func TestOnCancel(t *testing.T) {
	doc := "schemaVersion: '0.3'\nmainSteps:\n- name: wait\n  action: aws:sleep\n  onCancel: %s\n  inputs: {Duration: PT1M}\n- name: cleanup\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n"
	tests := []struct {
		onCancel, note, want string // want: in the runbook, else in the error
	}{
		{"Abort", "", "- name: wait\n    sleep: 1m\n"},
		{"step:cleanup", onCancelNote, "- name: wait\n    description: On a cancel during this step SSM goes to cleanup; here a cancel stops the run\n"},
		{"step:nowhere", "", `no step named "nowhere"`},
		{"Continue", "", `malformed document: onCancel "Continue"`},
	}
	opts, vopts := importOptions()
	for _, tt := range tests {
		t.Run(tt.onCancel, func(t *testing.T) {
			o := ImportAndValidate("cancel.yaml", []byte(strings.Replace(doc, "%s", tt.onCancel, 1)), opts, vopts)
			got := ""
			if o.Valid() {
				got = string(o.Result.YAML)
			} else if o.Err != nil {
				got = o.Err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to say %q", got, tt.want)
			}
			if notes := strings.Join(o.Notes, "; "); notes != tt.note {
				t.Errorf("notes %q, want %q", notes, tt.note)
			}
		})
	}
}
