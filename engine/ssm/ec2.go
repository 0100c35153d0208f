package ssm

// imageDone holds when the image is available or has failed.
const imageDone = `string(result.Images[0].State) in ["available", "failed", "error", "invalid", "deregistered"]`

func (t *translator) runInstances(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s, "IamInstanceProfileName", "IamInstanceProfileArn")
	if err != nil {
		return nil, err
	}
	rename(in, "MinInstanceCount", "MinCount")
	rename(in, "MaxInstanceCount", "MaxCount")
	for _, k := range []string{"MinCount", "MaxCount"} {
		if in[k] == nil {
			in[k] = 1
		}
	}
	prof := map[string]any{}
	if v, ok := s.Inputs["IamInstanceProfileName"]; ok {
		prof["Name"], _ = t.data(v)
	}
	if v, ok := s.Inputs["IamInstanceProfileArn"]; ok {
		prof["Arn"], _ = t.data(v)
	}
	if len(prof) > 0 {
		in["IamInstanceProfile"] = prof
	}
	run, err := t.awsStep(t.names[s.Name], "ec2:RunInstances", in)
	if err != nil {
		return nil, err
	}
	run.Outputs = outs("ids", "map(result.Instances, #.InstanceId)")
	wait, err := t.waitStep(name, "ec2:DescribeInstances", map[string]any{"InstanceIds": ref2("steps." + run.Name + ".ids")},
		"len("+instanceStates+") > 0 && all("+instanceStates+`, # == "running")`)
	if err != nil {
		return nil, err
	}
	wait.Outputs = outs("InstanceIds", "flatten(map(result.Reservations, map(#.Instances, #.InstanceId)))", "InstanceStates", instanceStates)
	return []*step{run, wait}, nil
}

// image is the pair create-or-copy then wait: the first step's output id
// is the image's ID.
func (t *translator) image(s *ssmStep, name, op string, in map[string]any) ([]*step, error) {
	act, err := t.awsStep(t.names[s.Name], op, in)
	if err != nil {
		return nil, err
	}
	act.Outputs = outs("id", "result.ImageId")
	wait, err := t.waitStep(name, "ec2:DescribeImages", map[string]any{"ImageIds": []any{ref2("steps." + act.Name + ".id")}}, imageDone)
	if err != nil {
		return nil, err
	}
	wait.Outputs = outs("ImageId", "result.Images[0].ImageId", "ImageState", "string(result.Images[0].State)")
	ok := &step{Name: t.unique(name+"_ok", ""), Assert: `steps.` + name + `.ImageState == "available"`,
		Message: "image ${{ steps." + name + ".ImageId }} is ${{ steps." + name + ".ImageState }}"}
	return []*step{act, wait, ok}, nil
}

func (t *translator) createImage(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	rename(in, "ImageName", "Name")
	rename(in, "ImageDescription", "Description")
	return t.image(s, name, "ec2:CreateImage", in)
}

func (t *translator) copyImage(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	rename(in, "ImageName", "Name")
	rename(in, "ImageDescription", "Description")
	return t.image(s, name, "ec2:CopyImage", in)
}

// deleteImage deregisters the image and deletes its snapshots, as the
// SSM action does.
func (t *translator) deleteImage(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s)
	if err != nil {
		return nil, err
	}
	find, err := t.awsStep(t.names[s.Name], "ec2:DescribeImages", map[string]any{"ImageIds": []any{in["ImageId"]}})
	if err != nil {
		return nil, err
	}
	find.Outputs = outs("snapshots", "filter(map(result.Images[0].BlockDeviceMappings, #.Ebs?.SnapshotId), # != nil)")
	dereg, err := t.awsStep(name, "ec2:DeregisterImage", map[string]any{"ImageId": in["ImageId"]})
	if err != nil {
		return nil, err
	}
	del, err := t.awsStep(t.unique(name+"_snapshot", ""), "ec2:DeleteSnapshot", map[string]any{"SnapshotId": ref2("item")})
	if err != nil {
		return nil, err
	}
	each := &step{Name: t.unique(name+"_snapshots", ""), ForEach: "steps." + find.Name + ".snapshots", Steps: []*step{del}}
	return []*step{find, dereg, each}, nil
}

func (t *translator) createTags(s *ssmStep, name string) ([]*step, error) {
	in, err := t.inputs(s, "ResourceType")
	if err != nil {
		return nil, err
	}
	if rt, ok := s.Inputs["ResourceType"].(string); ok && rt != "EC2" {
		return nil, unsupported("createTags: only ResourceType EC2", rt)
	}
	rename(in, "ResourceIds", "Resources")
	st, err := t.awsStep(name, "ec2:CreateTags", in)
	if err != nil {
		return nil, err
	}
	return []*step{st}, nil
}
