package ssm

import (
	"fmt"
	"strconv"
	"strings"
)

// outputKinds maps SSM output types to reference kinds.
var outputKinds = map[string]refKind{
	"String": "string", "Integer": "int", "Boolean": "bool",
	"StringList": "list", "StringMap": "map", "MapList": "list",
}

// builtinOutputs are the outputs an action gives without declaring them.
var builtinOutputs = map[string][][2]string{
	"aws:runCommand":           {{"CommandId", "string"}, {"Status", "string"}, {"ResponseCode", "int"}, {"Output", "string"}},
	"aws:executeAutomation":    {{"ExecutionId", "string"}, {"Status", "string"}, {"Output", "any"}},
	"aws:createStack":          {{"StackId", "string"}, {"StackStatus", "string"}, {"StackStatusReason", "string"}},
	"aws:runInstances":         {{"InstanceIds", "list"}, {"InstanceStates", "list"}},
	"aws:createImage":          {{"ImageId", "string"}, {"ImageState", "string"}},
	"aws:copyImage":            {{"ImageId", "string"}, {"ImageState", "string"}},
	"aws:invokeLambdaFunction": {{"StatusCode", "int"}, {"FunctionError", "string"}, {"LogResult", "string"}, {"ExecutedVersion", "string"}, {"Payload", "string"}},
	"aws:executeStateMachine":  {{"ExecutionArn", "string"}},
}

// multiStep lists the actions translated as several steps: the first
// (NAME_start) acts, the one named NAME holds the outputs.
var multiStep = map[string]bool{
	"aws:runCommand": true, "aws:executeAutomation": true, "aws:createStack": true,
	"aws:deleteStack": true, "aws:runInstances": true, "aws:createImage": true,
	"aws:copyImage": true, "aws:deleteImage": true, "aws:changeInstanceState": true,
}

// plan names every step and registers its outputs, so that references
// can be rewritten wherever they occur (a goto may lead back).
func (t *translator) plan(steps []*ssmStep) {
	if t.carrier == nil {
		t.carrier = map[string]string{}
	}
	for _, s := range steps {
		t.used[s.Name] = true
	}
	for _, s := range steps {
		base := t.unique(stepName(s.Name), s.Name)
		t.carrier[s.Name] = base
		t.names[s.Name] = base
		if t.isMulti(s) {
			t.names[s.Name] = t.unique(base+"_start", "")
		}
		for _, o := range s.Outputs {
			if o == nil {
				continue
			}
			k := outputKinds[o.Type]
			if s.Action == "aws:executeScript" || k == "" {
				k = "any"
			}
			t.outs[s.Name+"."+o.Name] = ref{"steps." + base + "." + stepName(o.Name), k}
		}
		if s.Action == "aws:executeScript" && t.referenced[s.Name+".OutputPayload"] {
			t.outs[s.Name+".OutputPayload"] = ref{"steps." + base + ".OutputPayload", "string"}
		}
		for _, b := range builtinOutputs[s.Action] {
			if _, ok := t.outs[s.Name+"."+b[0]]; !ok {
				t.outs[s.Name+"."+b[0]] = ref{"steps." + base + "." + b[0], b[1]}
			}
		}
		t.maybeOutputs(s)
		if s.Action == "aws:loop" {
			if inner, ok := s.Inputs["Steps"].([]any); ok {
				t.plan(decodeSteps(inner))
			}
		}
	}
}

func (t *translator) isMulti(s *ssmStep) bool {
	if s.Action == "aws:changeInstanceState" {
		b, ok := s.Inputs["CheckStateOnly"].(bool)
		return !ok || !b
	}
	return multiStep[s.Action]
}

// unique returns name, or name with a number, not yet taken by a v1 step
// (own is the SSM name that may already hold it).
func (t *translator) unique(name, own string) string {
	n := name
	for i := 2; t.used[n] && n != own || t.taken(n); i++ {
		n = name + strconv.Itoa(i)
	}
	t.used[n] = true
	return n
}

// taken reports whether a v1 name is already given to a step.
func (t *translator) taken(n string) bool {
	for _, v := range t.carrier {
		if v == n {
			return true
		}
	}
	for _, v := range t.names {
		if v == n {
			return true
		}
	}
	return false
}

// stepName makes an SSM name a v1 name (^[A-Za-z][A-Za-z0-9_]*$).
func stepName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	n := b.String()
	if n == "" || !(n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') {
		n = "s" + n
	}
	return n
}

// target is the v1 step an SSM step name leads to.
func (t *translator) target(ssmName string) (string, error) {
	n, ok := t.names[ssmName]
	if !ok {
		return "", fmt.Errorf("malformed document: no step named %q", ssmName)
	}
	return n, nil
}

func (t *translator) endName() string  { return t.reserve("end") }
func (t *translator) failName() string { return t.reserve("noChoice") }

// reserve gives a fixed helper step name, the same on every call.
func (t *translator) reserve(name string) string {
	key := "\x00" + name
	if n, ok := t.names[key]; ok {
		return n
	}
	n := t.unique(name, "")
	t.names[key] = n
	return n
}

// bound puts maxVisits on every step a route leads back to, as v1 wants
// a bound on each cycle; SSM has none but the execution's own limits.
func (t *translator) bound(steps []*step) {
	pos := map[string]int{}
	for i, s := range steps {
		pos[s.Name] = i
	}
	back := func(from int, to string) {
		to = strings.TrimPrefix(to, "goto:")
		if j, ok := pos[to]; ok && j <= from {
			steps[j].MaxVisits = maxVisits
		}
	}
	for i, s := range steps {
		for _, r := range s.Branch {
			back(i, r.Goto)
		}
		if s.Default != "" {
			back(i, s.Default)
		}
		if strings.HasPrefix(s.OnFailure, "goto:") {
			back(i, s.OnFailure)
		}
	}
}

// maxVisits bounds each cycle of an imported document.
const maxVisits = 100
