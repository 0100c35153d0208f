package ssm

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// awsStep is an aws step calling id (service:Operation, SDK names) with
// input shaped for the operation's Go type.
func (t *translator) awsStep(name, id string, in map[string]any) (*step, error) {
	svc, api, _ := strings.Cut(id, ":")
	_, op, err := t.operation(svc, api)
	if err != nil {
		return nil, err
	}
	return &step{Name: name, AWS: id, Input: t.conformInput(in, op.Input)}, nil
}

// waitStep is a waitFor step polling id until until holds.
func (t *translator) waitStep(name, id string, in map[string]any, until string) (*step, error) {
	st, err := t.awsStep(name, id, in)
	if err != nil {
		return nil, err
	}
	return &step{Name: name, WaitFor: &waitFor{AWS: id, Input: st.Input, Until: until}}, nil
}

// outs builds outputs from name, expression pairs.
func outs(kv ...string) *yaml.Node {
	om := &orderedMap{}
	for i := 0; i+1 < len(kv); i += 2 {
		om.set(kv[i], kv[i+1])
	}
	return om.yamlNode()
}

// rename moves input keys: the SSM action's names to the API's.
func rename(in map[string]any, from, to string) {
	if v, ok := in[from]; ok {
		delete(in, from)
		in[to] = v
	}
}

// ref2 is a whole-value interpolation of an expression.
func ref2(e string) string { return "${{ " + e + " }}" }

func (t *translator) runCommand(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	send, err := t.awsStep(t.names[s.Name], "ssm:SendCommand", in)
	if err != nil {
		return nil, err
	}
	send.Outputs = outs("commandId", "result.Command.CommandId")
	terminal := `["Success", "Cancelled", "TimedOut", "Failed"]`
	wait, err := t.waitStep(name, "ssm:ListCommandInvocations",
		map[string]any{"CommandId": ref2("steps." + send.Name + ".commandId"), "Details": true},
		"len(result.CommandInvocations) > 0 && all(result.CommandInvocations, string(#.Status) in "+terminal+")")
	if err != nil {
		return nil, err
	}
	first := "result.CommandInvocations[0]"
	wait.Outputs = outs("CommandId", first+".CommandId", "Status", "string("+first+".Status)",
		"ResponseCode", first+".CommandPlugins[0].ResponseCode", "Output", first+".CommandPlugins[0].Output",
		"Statuses", "map(result.CommandInvocations, string(#.Status))")
	ok := &step{Name: t.unique(name+"_ok", ""), Assert: `all(steps.` + name + `.Statuses, # == "Success")`,
		Message: "the command ended ${{ join(steps." + name + ".Statuses, \", \") }}"}
	return []*step{send, wait, ok}, nil
}

func (t *translator) executeAutomation(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	rename(in, "RuntimeParameters", "Parameters")
	start, err := t.awsStep(t.names[s.Name], "ssm:StartAutomationExecution", in)
	if err != nil {
		return nil, err
	}
	start.Outputs = outs("id", "result.AutomationExecutionId")
	terminal := `["Success", "Failed", "Cancelled", "TimedOut", "CompletedWithSuccess", "CompletedWithFailure", "Rejected", "Exited"]`
	wait, err := t.waitStep(name, "ssm:GetAutomationExecution",
		map[string]any{"AutomationExecutionId": ref2("steps." + start.Name + ".id")},
		"string(result.AutomationExecution.AutomationExecutionStatus) in "+terminal)
	if err != nil {
		return nil, err
	}
	e := "result.AutomationExecution"
	wait.Outputs = outs("ExecutionId", e+".AutomationExecutionId", "Status", "string("+e+".AutomationExecutionStatus)", "Output", e+".Outputs")
	ok := &step{Name: t.unique(name+"_ok", ""), Assert: `steps.` + name + `.Status in ["Success", "CompletedWithSuccess"]`,
		Message: "the automation ended ${{ steps." + name + ".Status }}"}
	return []*step{start, wait, ok}, nil
}

// instanceStates is every state of the instances in a DescribeInstances
// result.
const instanceStates = "flatten(map(result.Reservations, map(#.Instances, string(#.State.Name))))"

func (t *translator) changeInstanceState(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	desired, _ := in["DesiredState"].(string)
	ops := map[string]string{"running": "ec2:StartInstances", "stopped": "ec2:StopInstances", "terminated": "ec2:TerminateInstances"}
	if ops[desired] == "" {
		return nil, unsupported("changeInstanceState: DesiredState must be literal running, stopped or terminated", desired)
	}
	ids := map[string]any{"InstanceIds": in["InstanceIds"]}
	wait, err := t.waitStep(name, "ec2:DescribeInstances", ids,
		"len("+instanceStates+") > 0 && all("+instanceStates+`, # == "`+desired+`")`)
	if err != nil {
		return nil, err
	}
	if !t.isMulti(s) {
		return []*step{wait}, nil
	}
	act := map[string]any{"InstanceIds": in["InstanceIds"]}
	if desired == "stopped" && in["Force"] != nil {
		act["Force"] = in["Force"]
	}
	call, err := t.awsStep(t.names[s.Name], ops[desired], act)
	if err != nil {
		return nil, err
	}
	if c, ok := in["CheckStateOnly"].(string); ok {
		e, whole := wholeExpr(c)
		if !whole {
			return nil, unsupported("changeInstanceState: CheckStateOnly must be a boolean or one reference", c)
		}
		if t.kinds[e] == "bool" {
			call.If = "!(" + e + ")"
		} else {
			call.If = `string(` + e + `) != "true"`
		}
	}
	return []*step{call, wait}, nil
}
