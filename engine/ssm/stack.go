package ssm

import "strings"

// stackDone holds when a stack has left every *_IN_PROGRESS status.
const stackDone = `!(string(result.Stacks[0].StackStatus) endsWith "_IN_PROGRESS")`

func (t *translator) createStack(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	create, err := t.awsStep(t.names[s.Name], "cloudformation:CreateStack", in)
	if err != nil {
		return nil, err
	}
	create.Outputs = outs("id", "result.StackId")
	wait, err := t.waitStep(name, "cloudformation:DescribeStacks",
		map[string]any{"StackName": ref2("steps." + create.Name + ".id")}, stackDone)
	if err != nil {
		return nil, err
	}
	st := "result.Stacks[0]"
	wait.Outputs = outs("StackId", st+".StackId", "StackStatus", "string("+st+".StackStatus)", "StackStatusReason", st+".StackStatusReason")
	ok := &step{Name: t.unique(name+"_ok", ""), Assert: `steps.` + name + `.StackStatus == "CREATE_COMPLETE"`,
		Message: "stack ${{ steps." + name + ".StackId }} is ${{ steps." + name + ".StackStatus }}"}
	return []*step{create, wait, ok}, nil
}

// deleteStack finds the stack's ID first: a deleted stack can be
// described by ID only.
func (t *translator) deleteStack(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	find, err := t.awsStep(t.names[s.Name], "cloudformation:DescribeStacks", map[string]any{"StackName": in["StackName"]})
	if err != nil {
		return nil, err
	}
	find.Outputs = outs("id", "result.Stacks[0].StackId")
	in["StackName"] = ref2("steps." + find.Name + ".id")
	del, err := t.awsStep(t.unique(name+"_delete", ""), "cloudformation:DeleteStack", in)
	if err != nil {
		return nil, err
	}
	wait, err := t.waitStep(name, "cloudformation:DescribeStacks", map[string]any{"StackName": in["StackName"]}, stackDone)
	if err != nil {
		return nil, err
	}
	wait.Outputs = outs("StackStatus", "string(result.Stacks[0].StackStatus)")
	ok := &step{Name: t.unique(name+"_ok", ""), Assert: `steps.` + name + `.StackStatus == "DELETE_COMPLETE"`,
		Message: "stack is ${{ steps." + name + ".StackStatus }}"}
	return []*step{find, del, wait, ok}, nil
}

func (t *translator) executeStateMachine(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	st, err := t.awsStep(name, "sfn:StartExecution", in)
	if err != nil {
		return nil, err
	}
	st.Outputs = outs("ExecutionArn", "result.ExecutionArn")
	return []*step{st}, nil
}

func (t *translator) invokeLambda(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s, "InputPayload")
	if err != nil {
		return nil, err
	}
	if p, ok := s.Inputs["InputPayload"]; ok {
		e, err := t.dataExpr(p)
		if err != nil {
			return nil, err
		}
		in["Payload"] = ref2("toBase64(toJSON(" + e + "))")
	}
	st, err := t.awsStep(name, "lambda:Invoke", in)
	if err != nil {
		return nil, err
	}
	payload := `fromBase64(result.Payload ?? "")`
	om := &orderedMap{}
	for _, kv := range [][2]string{{"StatusCode", "result.StatusCode"}, {"FunctionError", "result.FunctionError"},
		{"LogResult", "result.LogResult"}, {"ExecutedVersion", "result.ExecutedVersion"}, {"Payload", payload}} {
		om.set(kv[0], kv[1])
	}
	// Declared outputs select from the function's result, the payload
	// parsed as JSON.
	err = eachSelector(s, func(o *ssmOutput, segs []segment) error {
		e := "fromJSON(" + payload + ")"
		if len(segs) == 1 && strings.EqualFold(segs[0].field, "Payload") {
			e = payload
		} else if x, err := selectorExpr(e, nil, segs); err != nil {
			return err
		} else {
			e = x
		}
		om.set(stepName(o.Name), e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.Outputs = om.yamlNode()
	return []*step{st}, nil
}
