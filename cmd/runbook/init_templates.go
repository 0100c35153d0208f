package main

// The starter definitions and tests `runbook init` writes. NAME stands
// for the definition's name; each file validates and its test passes
// (TestInit checks both).

const starterRunbook = `# yaml-language-server: $schema=https://raw.githubusercontent.com/runbook-dev/runbook/main/runbook.schema.json
# NAME: a starter runbook written by runbook init. It reboots an EC2
# instance after an approval; replace its steps with yours. The format:
# runbook docs (step kinds), the README's Usage; check it with
# runbook validate NAME.yaml and its tests with runbook test NAME.yaml.
apiVersion: runbook/v1
kind: Runbook
name: NAME
version: 0.1.0
description: Reboot a running EC2 instance after an approval.
owner: my-team
params:
  # Each param is typed; one without default is required (run -p KEY=VALUE).
  InstanceId:
    type: string
    description: The instance to reboot.
    pattern: '^i-[0-9a-f]{8,17}$'
outputs:
  # What the execution reports when it ends: expressions over steps.
  previousState: steps.describe.state
steps:
  # An aws step calls service:Operation; input is checked against the SDK's
  # types, and outputs name what later steps read (steps.describe.state).
  - name: describe
    aws: ec2:DescribeInstances
    input: {InstanceIds: ["${{ params.InstanceId }}"]}
    outputs:
      state: result.Reservations[0].Instances[0].State.Name
  # An assert stops the execution (failed) when its expression is false.
  - name: isRunning
    assert: steps.describe.state == "running"
    message: ${{ params.InstanceId }} is ${{ steps.describe.state }}, not running
  # An approval waits for one of the approvers (never the requester).
  - name: approval
    approve:
      approvers:
        - group:oncall
      message: Reboot ${{ params.InstanceId }}?
      timeout: 30m
  - name: reboot
    aws: ec2:RebootInstances
    input: {InstanceIds: ["${{ params.InstanceId }}"]}
  # A waitFor polls until its condition holds, or fails at its timeout.
  - name: running
    waitFor:
      aws: ec2:DescribeInstanceStatus
      input: {InstanceIds: ["${{ params.InstanceId }}"]}
      until: result.InstanceStatuses[0].InstanceStatus.Status == "ok"
      interval: 15s
      timeout: 15m
`

const starterRunbookTest = `# yaml-language-server: $schema=https://raw.githubusercontent.com/runbook-dev/runbook/main/runbook-test.schema.json
# Tests of NAME.yaml, run by runbook test NAME.yaml: canned AWS responses
# per step, approvals sent as the workflow's own updates, time skipped
# through the waits.
cases:
  - name: reboots a running instance after an approval
    params: {InstanceId: i-0123456789abcdef0}
    calls:
      describe: {result: {Reservations: [{Instances: [{InstanceId: i-0123456789abcdef0, State: {Name: running}}]}]}}
      reboot: {result: {}}
      running:
        - {result: {InstanceStatuses: [{InstanceStatus: {Status: initializing}}]}}
        - {result: {InstanceStatuses: [{InstanceStatus: {Status: ok}}]}}
    approvals:
      - {step: approval, by: alice, groups: [oncall]}
    expect:
      path: [describe, isRunning, approval, reboot, running]
      outputs: {previousState: running}

  - name: refuses a stopped instance
    params: {InstanceId: i-0123456789abcdef0}
    calls:
      describe: {result: {Reservations: [{Instances: [{InstanceId: i-0123456789abcdef0, State: {Name: stopped}}]}]}}
    expect:
      failed: isRunning
      message: not running

  - name: the approver rejects
    params: {InstanceId: i-0123456789abcdef0}
    calls:
      describe: {result: {Reservations: [{Instances: [{InstanceId: i-0123456789abcdef0, State: {Name: running}}]}]}}
    approvals:
      - {step: approval, by: alice, groups: [oncall], decision: reject, comment: not now}
    expect:
      failed: approval
      path: [describe, isRunning, approval]
`

const starterPlaybook = `# yaml-language-server: $schema=https://raw.githubusercontent.com/runbook-dev/runbook/main/runbook.schema.json
# NAME: a starter playbook written by runbook init --playbook. A playbook
# diagnoses: its nodes read, branch, and conclude with a finding and the
# runbook to run next. This one looks at a failed EC2 status check;
# replace its nodes with yours. Check it with runbook validate NAME.yaml,
# its tests with runbook test NAME.yaml.
apiVersion: runbook/v1
kind: Playbook
name: NAME
version: 0.1.0
description: Tell a host problem from a guest problem when an EC2 status check fails.
owner: my-team
params:
  InstanceId:
    type: string
    description: The instance whose status check failed.
    pattern: '^i-[0-9a-f]{8,17}$'
triggers:
  # An alarm whose name matches starts the playbook; params are expressions
  # over the alarm.
  - alarm: "*StatusCheckFailed*"
    params:
      InstanceId: alarm.metric.dimensions.InstanceId
start: describe
nodes:
  # branch picks the next node: the first when that holds, else default.
  - name: describe
    aws: ec2:DescribeInstanceStatus
    input:
      InstanceIds: ["${{ params.InstanceId }}"]
      IncludeAllInstances: true
    outputs:
      system: result.InstanceStatuses[0].SystemStatus.Status
    branch:
      - when: steps.describe.system == "impaired"
        goto: hostIssue
    default: guestIssue
  # conclude ends the playbook with a finding and, optionally, a runbook.
  - name: hostIssue
    conclude:
      finding: The host under ${{ params.InstanceId }} has a problem AWS must fix.
      severity: high
      recommend: {run: ec2-restart@^1, params: {InstanceId: "${{ params.InstanceId }}"}}
  - name: guestIssue
    conclude:
      finding: The problem is inside the guest of ${{ params.InstanceId }}; check its console output.
      severity: medium
`

const starterPlaybookTest = `# yaml-language-server: $schema=https://raw.githubusercontent.com/runbook-dev/runbook/main/runbook-test.schema.json
# Tests of NAME.yaml, run by runbook test NAME.yaml: one case per branch.
cases:
  - name: an impaired host
    params: {InstanceId: i-0123456789abcdef0}
    calls:
      describe: {result: {InstanceStatuses: [{SystemStatus: {Status: impaired}}]}}
    expect:
      finding: {node: hostIssue, severity: high}

  - name: a guest problem
    params: {InstanceId: i-0123456789abcdef0}
    alarm: {name: web-1-StatusCheckFailed, state: ALARM}
    calls:
      describe: {result: {InstanceStatuses: [{SystemStatus: {Status: ok}}]}}
    expect:
      finding: {node: guestIssue, severity: medium}
`
