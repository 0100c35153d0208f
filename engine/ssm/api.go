package ssm

import (
	"errors"
	"reflect"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// sdkServices maps boto3 service names to aws-sdk-go-v2 package names
// where they differ by more than case and dashes.
var sdkServices = map[string]string{
	"elbv2": "elasticloadbalancingv2", "elb": "elasticloadbalancing",
	"logs": "cloudwatchlogs", "stepfunctions": "sfn", "events": "eventbridge",
	"ds": "directoryservice", "config": "configservice",
}

// sdkService is the SDK package name for a boto3 service name.
func sdkService(boto string) string {
	s := strings.ToLower(strings.TrimSpace(boto))
	if n, ok := sdkServices[s]; ok {
		return n
	}
	return strings.ReplaceAll(s, "-", "")
}

// sdkOperation is the SDK method name for a boto3 API name
// (describe_instances or DescribeInstances).
func sdkOperation(api string) string {
	parts := strings.Split(strings.TrimSpace(api), "_")
	for i, p := range parts {
		parts[i] = upperFirst(p)
	}
	return strings.Join(parts, "")
}

// operation resolves service:Api to its SDK operation (nil types when the
// importer has no registry).
func (t *translator) operation(service, api string) (string, *engine.Operation, error) {
	id := sdkService(service) + ":" + sdkOperation(api)
	if t.services == nil {
		return id, &engine.Operation{}, nil
	}
	op, err := t.services.Operation(id)
	if err != nil {
		if strings.Contains(err.Error(), "unknown AWS service") {
			return "", nil, unsupported("AWS service not in the registry", sdkService(service))
		}
		return "", nil, unsupported("AWS operation not in the SDK", id)
	}
	return id, op, nil
}

// call translates the Service, Api and other inputs of an API action.
func (t *translator) call(s *ssmStep, drop ...string) (string, *engine.Operation, map[string]any, error) {
	svc, _ := s.Inputs["Service"].(string)
	api, _ := s.Inputs["Api"].(string)
	if svc == "" || api == "" || strings.Contains(svc+api, "{{") {
		return "", nil, nil, unsupported("Service and Api must be literal", svc+":"+api)
	}
	id, op, err := t.operation(svc, api)
	if err != nil {
		return "", nil, nil, err
	}
	in, err := t.inputs(s, append(drop, "Service", "Api")...)
	if err != nil {
		return "", nil, nil, err
	}
	return id, op, t.conformInput(in, op.Input), nil
}

// conformInput shapes the input for the operation's Go input type.
func (t *translator) conformInput(in map[string]any, typ reflect.Type) map[string]any {
	if typ == nil {
		return in
	}
	m, _ := t.conform(in, typ).(map[string]any)
	return m
}

// stepOutputs writes the step's declared outputs: selectors over base
// (result, or the parsed payload), typed by the Go type.
func (t *translator) stepOutputs(s *ssmStep, base string, typ reflect.Type) (*orderedMap, error) {
	om := &orderedMap{}
	err := eachSelector(s, func(o *ssmOutput, segs []segment) error {
		e, err := selectorExpr(base, typ, segs)
		var absent *absentError
		if errors.As(err, &absent) && typ != nil {
			// SSM leaves an output whose selector matches nothing
			// unset (the step does not fail).
			om.setNote(stepName(o.Name), "nil", o.Selector+": the output has no "+absent.field+"; SSM leaves this output unset")
			return nil
		}
		if err == nil {
			om.set(stepName(o.Name), e)
		}
		return err
	})
	return om, err
}

// eachSelector calls f with each declared output of s and its parsed
// selector; a selector that does not parse is the step's problem.
func eachSelector(s *ssmStep, f func(o *ssmOutput, segs []segment) error) error {
	for _, o := range s.Outputs {
		if o == nil {
			continue
		}
		segs, err := parseSelector(o.Selector)
		if err != nil {
			return unsupported("JSONPath selector not translated", err.Error())
		}
		if err := f(o, segs); err != nil {
			return err
		}
	}
	return nil
}

func (t *translator) executeAwsAPI(s *ssmStep, name string) ([]*step, error) {
	id, op, in, err := t.call(s)
	if err != nil {
		return nil, err
	}
	om, err := t.stepOutputs(s, "result", op.Output)
	if err != nil {
		return nil, err
	}
	return []*step{{Name: name, AWS: id, Input: in, Outputs: om.yamlNode()}}, nil
}

// propertyCondition is the expression "the selected property is one of
// the desired values", compared as strings as SSM does.
func (t *translator) propertyCondition(s *ssmStep, typ reflect.Type) (string, error) {
	sel, _ := s.Inputs["PropertySelector"].(string)
	segs, err := parseSelector(sel)
	if err != nil {
		return "", unsupported("JSONPath selector not translated", err.Error())
	}
	vals, _ := s.Inputs["DesiredValues"].([]any)
	if len(vals) == 0 {
		return "", unsupported("DesiredValues must be a list", sel)
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			s = toString(v)
		}
		r, err := t.expr(s)
		if err != nil {
			return "", err
		}
		if r.kind != "string" {
			r.expr = "string(" + r.expr + ")"
		}
		parts[i] = r.expr
	}
	want := "[" + strings.Join(parts, ", ") + "]"
	e, n, err := pathExpr("result", typ, segs)
	if err != nil {
		return "", err
	}
	if n > 0 {
		if n > 1 {
			e = "flatten(" + e + ")"
		}
		return "len(" + e + ") > 0 && all(" + e + ", string(#) in " + want + ")", nil
	}
	return "string(" + e + ") in " + want, nil
}

func (t *translator) waitForProperty(s *ssmStep, name string) ([]*step, error) {
	id, op, in, err := t.call(s, "PropertySelector", "DesiredValues")
	if err != nil {
		return nil, err
	}
	cond, err := t.propertyCondition(s, op.Output)
	if err != nil {
		return nil, err
	}
	return []*step{{Name: name, WaitFor: &waitFor{AWS: id, Input: in, Until: cond}}}, nil
}

func (t *translator) assertProperty(s *ssmStep, name string) ([]*step, error) {
	id, op, in, err := t.call(s, "PropertySelector", "DesiredValues")
	if err != nil {
		return nil, err
	}
	cond, err := t.propertyCondition(s, op.Output)
	if err != nil {
		return nil, err
	}
	sel, _ := s.Inputs["PropertySelector"].(string)
	return []*step{{Name: name, Assert: &awsAssert{AWS: id, Input: in, Condition: cond, Message: sel + " is not one of the desired values"}}}, nil
}
