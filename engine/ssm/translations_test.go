package ssm

import (
	"strings"
	"testing"
)

// translationTests are small documents, one per translation, with what
// their runbooks must say; each runbook must validate.
var translationTests = []struct {
	name, src string
	want      []string
}{
	{"pause", `schemaVersion: '0.3'
mainSteps:
- name: wait
  action: aws:pause
  inputs: {Message: Resume once traffic is redirected}
- name: done
  action: aws:sleep
  inputs: {Duration: PT1S}
`, []string{
		"description: 'aws:pause: SSM waits for a Resume signal; approving resumes (group:ssm-resumers; not the requester)'",
		"approvers:\n        - group:ssm-resumers",
		"message: Resume once traffic is redirected",
		"timeout: 7d",
	}},
	{"recursive selector", `schemaVersion: '0.3'
mainSteps:
- name: key
  action: aws:assertAwsResourceProperty
  inputs: {Service: kms, Api: DescribeKey, KeyId: k, PropertySelector: $..KeyState, DesiredValues: [Disabled]}
- name: groups
  action: aws:executeAwsApi
  inputs: {Service: docdb, Api: DescribeDBClusters}
  outputs:
  - {Name: Ids, Selector: '$.DBClusters..VpcSecurityGroupId', Type: StringList}
`, []string{
		`condition: string(result.KeyMetadata.KeyState) in ["Disabled"]`,
		"Ids: 'flatten(map(result.DBClusters, map(#.VpcSecurityGroups, #.VpcSecurityGroupId)))'",
	}},
	{"selector of a field the output lacks", `schemaVersion: '0.3'
mainSteps:
- name: detach
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: DetachInternetGateway, InternetGatewayId: igw-1, VpcId: vpc-1}
  outputs:
  - {Name: Response, Selector: $.DetachInternetGatewayResponse.return, Type: Boolean}
outputs: [detach.Response]
`, []string{
		"Response: nil # $.DetachInternetGatewayResponse.return: the output has no DetachInternetGatewayResponse; SSM leaves this output unset",
		"detach_Response: steps.detach.Response",
	}},
	{"an action the document continues after", `schemaVersion: '0.3'
mainSteps:
- name: check
  action: aws:runCommand
  onFailure: Continue
  inputs: {DocumentName: AWS-RunShellScript, InstanceIds: [i-1], Parameters: {commands: [uptime]}}
- name: report
  action: aws:executeAwsApi
  inputs: {Service: ssm, Api: GetCommandInvocation, CommandId: '{{ check.CommandId }}', InstanceId: i-1, PluginName: '{{ check.Output }}'}
`, []string{
		"- name: check\n    if: steps.check_start != nil\n",
		"- name: check_ok\n    if: steps.check != nil\n",
		`CommandId: ${{ (steps.check_start?.commandId ?? ("{{ check.CommandId }" + "}")) }}`,
		`PluginName: ${{ (steps.check?.Output ?? ("{{ check.Output }" + "}")) }}`,
	}},
	{"a failure handler reading what the action knew early", `schemaVersion: '0.3'
mainSteps:
- name: create
  action: aws:createStack
  onFailure: step:cleanup
  inputs: {StackName: s, TemplateBody: '{}'}
- name: use
  action: aws:sleep
  onFailure: step:cleanup
  isEnd: true
  inputs: {Duration: PT1S}
- name: cleanup
  action: aws:deleteStack
  inputs: {StackName: '{{ create.StackId }}'}
`, []string{
		`StackName: ${{ (steps.create_start?.id ?? ("{{ create.StackId }" + "}")) }}`,
	}},
	{"a failure handler reading a step some paths miss", `schemaVersion: '0.3'
mainSteps:
- name: first
  action: aws:executeAwsApi
  onFailure: step:rollback
  inputs: {Service: sqs, Api: GetQueueUrl, QueueName: a}
  outputs: [{Name: Url, Selector: $.QueueUrl, Type: String}]
- name: send
  action: aws:executeAwsApi
  onFailure: step:rollback
  inputs: {Service: sqs, Api: SendMessage, QueueUrl: '{{ first.Url }}', MessageBody: x}
  outputs: [{Name: MessageId, Selector: $.MessageId, Type: String}]
- name: rollback
  action: aws:executeAwsApi
  isEnd: true
  inputs: {Service: sqs, Api: DeleteMessage, QueueUrl: q, ReceiptHandle: '{{ send.MessageId }}'}
`, []string{
		// after send, the read is send's output
		"- name: rollback\n    aws: sqs:DeleteMessage\n    input:\n      QueueUrl: q\n      ReceiptHandle: ${{ (steps.send?.MessageId ?? (\"{{ send.MessageId }\" + \"}\")) }}\n    default: end",
		// when first fails, send never ran: SSM leaves the reference's text
		"    onFailure: goto:rollback_2\n",
		"- name: rollback_2\n    aws: sqs:DeleteMessage\n    input:\n      QueueUrl: q\n      ReceiptHandle: ${{ (\"{{ send.MessageId }\" + \"}\") }}\n    default: end",
	}},
	{"a map given for a command's parameter", `schemaVersion: '0.3'
parameters:
  Token: {type: String}
mainSteps:
- name: install
  action: aws:runCommand
  inputs: {DocumentName: AWS-ConfigureAWSPackage, InstanceIds: [i-1], Parameters: {additionalArguments: {TOKEN: '{{ Token }}'}}}
`, []string{
		"additionalArguments:\n          - '${{ toJSON({\"TOKEN\": (params.Token)}) }}'",
	}},
	{"variables", `schemaVersion: '0.3'
variables:
  Stack: {type: String, default: 'stack-{{ automation:EXECUTION_ID }}'}
  Token: {type: String, default: ''}
mainSteps:
- name: describe
  action: aws:executeAwsApi
  inputs: {Service: cloudformation, Api: DescribeStacks, StackName: '{{ variable:Stack }}', NextToken: '{{ variable:Token }}'}
  outputs: [{Name: Next, Selector: $.NextToken, Type: String}]
- name: setToken
  action: aws:updateVariable
  inputs: {Name: 'variable:Token', Value: '{{ describe.Next }}'}
- name: again
  action: aws:executeAwsApi
  inputs: {Service: cloudformation, Api: DescribeStacks, NextToken: '{{ variable:Token }}'}
`, []string{
		`StackName: ${{ "stack-" + string(execution.id) }}`,
		`NextToken: ${{ "" }}`,
		"- name: setToken\n    log: variable Token = ${{ toJSON(steps.describe.Next) }}\n    outputs:\n      value: steps.describe.Next",
		"NextToken: ${{ steps.setToken.value }}",
	}},
	{"a parameter name v1 cannot use, an empty {{}} and a script output outside Payload", `schemaVersion: '0.3'
parameters:
  4xxAlarm: {type: String, description: The alarm.}
mainSteps:
- name: run
  action: aws:executeScript
  inputs: {Runtime: python3.11, Handler: h, Script: "def h(e, c):\n    return {'r': '{{}}'}", InputPayload: {A: '{{ 4xxAlarm }}'}}
  outputs: [{Name: result, Selector: $.result, Type: String}]
`, []string{
		"p4xxAlarm:\n    type: string\n    description: The alarm. SSM names this parameter 4xxAlarm",
		`stdin: '${{ toJSON({"A": params.p4xxAlarm}) }}'`,
		"return {'r': '{{}}'}",
		"result: nil # $.result: executeScript's response holds only Payload; SSM leaves this output unset",
	}},
	{"branch arms read where they meet", `schemaVersion: '0.3'
parameters:
  Mode: {type: String, allowedValues: [a, b]}
mainSteps:
- name: pick
  action: aws:branch
  inputs:
    Choices:
    - {NextStep: viaA, Variable: '{{ Mode }}', StringEquals: a}
    - {NextStep: viaB, Variable: '{{ Mode }}', StringEquals: b}
- name: viaA
  action: aws:executeAwsApi
  nextStep: report
  inputs: {Service: sqs, Api: GetQueueUrl, QueueName: a}
  outputs: [{Name: Url, Selector: $.QueueUrl, Type: String}]
- name: viaB
  action: aws:executeAwsApi
  inputs: {Service: sqs, Api: GetQueueUrl, QueueName: b}
  outputs: [{Name: Url, Selector: $.QueueUrl, Type: String}]
- name: report
  action: aws:executeAwsApi
  inputs: {Service: sqs, Api: SendMessage, QueueUrl: q, MessageBody: '{{ viaA.Url }} {{ viaB.Url }}'}
outputs: [viaA.Url]
`, []string{
		"- name: pick\n    log: 'aws:branch: the chosen branch''s steps run, the others are skipped (output next)'\n    outputs:\n      next: '(string(params.Mode) == \"a\") ? \"viaA\" : ((string(params.Mode) == \"b\") ? \"viaB\" : (\"\"))'\n    branch:\n      - when: steps.pick.next == \"\"\n        goto: noChoice",
		"- name: viaA\n    if: steps.pick.next == \"viaA\"\n",
		"- name: viaB\n    if: steps.pick.next == \"viaB\"\n",
		`MessageBody: ${{ (steps.viaA?.Url ?? ("{{ viaA.Url }" + "}")) }} ${{ (steps.viaB?.Url ?? ("{{ viaB.Url }" + "}")) }}`,
		"viaA_Url: steps.viaA?.Url",
	}},
	{"branch arms meeting away from where they are listed", `schemaVersion: '0.3'
mainSteps:
- name: pick
  action: aws:branch
  inputs:
    Choices:
    - {NextStep: one, Variable: '{{ global:REGION }}', StartsWith: eu-}
    Default: two
- name: one
  action: aws:executeAwsApi
  nextStep: join
  inputs: {Service: sts, Api: GetCallerIdentity}
  outputs: [{Name: Who, Selector: $.Arn, Type: String}]
- name: two
  action: aws:sleep
  nextStep: join
  inputs: {Duration: PT1S}
- name: last
  action: aws:sleep
  isEnd: true
  inputs: {Duration: PT1S}
- name: join
  action: aws:executeAwsApi
  nextStep: last
  inputs: {Service: sqs, Api: GetQueueUrl, QueueName: '{{ one.Who }}'}
`, []string{
		"- name: two\n    if: steps.pick.next == \"two\"\n    sleep: 1s\n  - name: to_join\n    branch:\n      - when: \"true\"\n        goto: join\n",
	}},
	{"parameter defaults and Parameter Store references", `schemaVersion: '0.3'
assumeRole: '{{ Role }}'
parameters:
  Role: {type: String, default: 'arn:aws:iam::{{ global:ACCOUNT_ID }}:role/Automation'}
  Ami: {type: String, default: '{{ ssm:/aws/service/al2023 }}'}
  Name: {type: String, default: '{{ Ami }}-{{ automation:EXECUTION_ID }}'}
mainSteps:
- name: run
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: RunInstances, ImageId: '{{ Ami }}', MinCount: 1, MaxCount: 1, UserData: '{{ ssm-secure:/app/token }}', TagSpecifications: [{ResourceType: instance, Tags: [{Key: Name, Value: '{{ Name }}'}]}]}
`, []string{
		`assumeRole: '${{ (params.Role == "arn:aws:iam::{{ global:ACCOUNT_ID }" + "}:role/Automation" ? "arn:aws:iam::" + string(execution.account) + ":role/Automation" : params.Role) }}'`,
		"default: arn:aws:iam::{{ global:ACCOUNT_ID }}:role/Automation",
		"description: Left at this default, its references are resolved when the run starts",
		"- name: getParameter\n    description: '{{ ssm-secure:/app/token }}: read when the run starts (SSM reads it where it is used)'\n    aws: ssm:GetParameter\n    input:\n      Name: /app/token\n      WithDecryption: true\n    outputs:\n      value:\n        value: result.Parameter.Value\n        secret: true\n",
		"- name: getParameter2\n    description: '{{ ssm:/aws/service/al2023 }}: read when the run starts, for the defaults that hold it'\n    if: params.Ami == \"{{ ssm:/aws/service/al2023 }\" + \"}\"\n    aws: ssm:GetParameter\n    input:\n      Name: /aws/service/al2023\n    outputs:\n      value: result.Parameter.Value\n",
		`Ami: '(params.Ami == "{{ ssm:/aws/service/al2023 }" + "}" ? steps.getParameter2.value : params.Ami)'`,
		`Name: '(params.Name == "{{ Ami }" + "}-{{ automation:EXECUTION_ID }" + "}" ? string((params.Ami == "{{ ssm:/aws/service/al2023 }" + "}" ? steps.getParameter2.value : params.Ami)) + "-" + string(execution.id) : params.Name)'`,
		"ImageId: ${{ steps.defaults.Ami }}",
		"Value: ${{ steps.defaults.Name }}",
		"UserData: ${{ steps.getParameter.value }}",
	}},
	{"an action's later parts on the paths that miss a step it reads", `schemaVersion: '0.3'
mainSteps:
- name: first
  action: aws:executeAwsApi
  onFailure: step:move
  inputs: {Service: sqs, Api: GetQueueUrl, QueueName: a}
  outputs: [{Name: Url, Selector: $.QueueUrl, Type: String}]
- name: second
  action: aws:executeAwsApi
  onFailure: step:move
  inputs: {Service: sqs, Api: SendMessage, QueueUrl: '{{ first.Url }}', MessageBody: x}
  outputs: [{Name: Id, Selector: $.MessageId, Type: String}]
- name: move
  action: aws:executeAutomation
  isEnd: true
  inputs: {DocumentName: Move, RuntimeParameters: {Message: '{{ second.Id }}'}}
`, []string{
		"    onFailure: goto:move_start_2\n",
		"- name: move_2\n    waitFor:\n      aws: ssm:GetAutomationExecution\n      input:\n        AutomationExecutionId: ${{ steps.move_start_2.id }}\n",
		"- name: move_ok_2\n    assert: steps.move_2.Status in [\"Success\", \"CompletedWithSuccess\"]\n",
	}},
	{"a script's output given for a list", `schemaVersion: '0.3'
mainSteps:
- name: pick
  action: aws:executeScript
  inputs: {Runtime: python3.11, Handler: h, Script: "def h(e, c):\n    return {'id': 'i-1'}"}
  outputs: [{Name: Id, Selector: $.Payload.id, Type: String}]
- name: describe
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: DescribeInstances, InstanceIds: '{{ pick.Id }}'}
`, []string{
		`InstanceIds: '${{ (type(steps.pick.Id) in ["array", "nil"] ? steps.pick.Id : [steps.pick.Id]) }}'`,
	}},
}

// TestTranslations imports each small document and checks its runbook.
func TestTranslations(t *testing.T) {
	opts, vopts := importOptions()
	for _, tt := range translationTests {
		t.Run(tt.name, func(t *testing.T) {
			o := ImportAndValidate(tt.name+".yaml", []byte(tt.src), opts, vopts)
			if !o.Valid() {
				t.Fatalf("not imported: %v %v", o.Err, o.Invalid)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(o.Result.YAML), w) {
					t.Errorf("runbook lacks %q:\n%s", w, o.Result.YAML)
				}
			}
		})
	}
}
