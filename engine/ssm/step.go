package ssm

import (
	"encoding/json"
	"fmt"
	"gopkg.in/yaml.v3"
	"strconv"
	"strings"
)

// action translates one SSM step into v1 steps; the step named by
// t.carrier holds the outputs.
type action func(t *translator, s *ssmStep, name string) ([]*step, error)

// actions lists the translations, one per SSM action.
var actions map[string]action

func init() {
	actions = map[string]action{
		"aws:executeAwsApi":              (*translator).executeAwsAPI,
		"aws:waitForAwsResourceProperty": (*translator).waitForProperty,
		"aws:assertAwsResourceProperty":  (*translator).assertProperty,
		"aws:branch":                     (*translator).branch,
		"aws:approve":                    (*translator).approve,
		"aws:sleep":                      (*translator).sleep,
		"aws:executeScript":              (*translator).executeScript,
		"aws:runCommand":                 (*translator).runCommand,
		"aws:executeAutomation":          (*translator).executeAutomation,
		"aws:changeInstanceState":        (*translator).changeInstanceState,
		"aws:createStack":                (*translator).createStack,
		"aws:deleteStack":                (*translator).deleteStack,
		"aws:runInstances":               (*translator).runInstances,
		"aws:createImage":                (*translator).createImage,
		"aws:copyImage":                  (*translator).copyImage,
		"aws:deleteImage":                (*translator).deleteImage,
		"aws:createTags":                 (*translator).createTags,
		"aws:invokeLambdaFunction":       (*translator).invokeLambda,
		"aws:executeStateMachine":        (*translator).executeStateMachine,
		"aws:loop":                       (*translator).loopSteps,
		"aws:pause":                      (*translator).pause,
		"aws:updateVariable":             (*translator).updateVariable,
	}
}

// notExpressible explains the actions with no v1 translation.
var notExpressible = map[string]string{}

// step translates s and adds what every step may have: description,
// onFailure, timeout, retry, and the route to next (nextStep, isEnd).
func (t *translator) step(s *ssmStep, next *ssmStep) ([]*step, error) {
	fn := actions[s.Action]
	if fn == nil {
		if why, ok := notExpressible[s.Action]; ok {
			return nil, unsupported(why, s.Action)
		}
		return nil, unsupported("action "+s.Action+" has no v1 translation", s.Action)
	}
	out, err := fn(t, s, t.carrier[s.Name])
	if err != nil {
		return nil, err
	}
	if t.isMulti(s) {
		if err := t.aliasOutputs(s, out); err != nil {
			return nil, err
		}
	}
	t.dropUnread(s, out)
	out[0].Description = joinText(oneLine(s.Description), out[0].Description)
	if err := t.onCancel(s, out); err != nil {
		return nil, err
	}
	onf, err := t.onFailure(s.OnFailure)
	if err != nil {
		return nil, err
	}
	if onf == "continue" && len(out) > 1 && gate(out) {
		onf = ""
	} else if onf == "continue" && len(out) > 1 {
		// Continue goes on after the whole action, not to its next part.
		if next != nil {
			onf = "goto:" + t.names[next.Name]
		} else {
			onf = "goto:" + t.endName()
			t.needEnd = true
		}
	}
	timeout := seconds(s.TimeoutSeconds)
	attempts := number(s.MaxAttempts)
	for _, st := range out {
		if onf != "" {
			st.OnFailure = onf
		}
		switch {
		case st.WaitFor != nil:
			if timeout != "" {
				st.WaitFor.Timeout = timeout
			}
		case st.Approve != nil:
			if timeout != "" {
				st.Approve.Timeout = timeout
			}
		case st.AWS != "" || st.Script != nil:
			st.Timeout = timeout
			if attempts > 1 {
				st.Retry = &retry{MaxAttempts: attempts}
			}
		}
	}
	last := out[len(out)-1]
	switch {
	case s.Action == "aws:branch":
	case isTrue(s.IsEnd):
		last.Default = t.endName()
		t.needEnd = true
	case s.NextStep != "":
		to, err := t.target(s.NextStep)
		if err != nil {
			return nil, err
		}
		if next == nil || next.Name != s.NextStep {
			last.Default = to
		}
	}
	return out, nil
}

// onFailure translates Abort, Continue and step:NAME.
func (t *translator) onFailure(s string) (string, error) {
	switch {
	case s == "" || strings.EqualFold(s, "Abort"):
		return "", nil
	case strings.EqualFold(s, "Continue"):
		return "continue", nil
	case strings.HasPrefix(s, "step:"):
		to, err := t.target(strings.TrimPrefix(s, "step:"))
		return "goto:" + to, err
	}
	return "", fmt.Errorf("malformed document: onFailure %q", s)
}

// seconds writes timeoutSeconds as a duration ("" when absent or not a
// number).
func seconds(v any) string {
	n := number(v)
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n) + "s"
}

// number reads an int written as a number or a string.
func number(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// joinText joins two sentences, either of which may be empty.
func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return strings.TrimSuffix(a, ".") + ". " + b
}

// oneLine keeps a description short: its first line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// decodeSteps reads a loop's Steps.
func decodeSteps(raw []any) []*ssmStep {
	b, _ := json.Marshal(raw)
	var out []*ssmStep
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

// inputs returns the step's inputs without the named keys, references
// rewritten.
func (t *translator) inputs(s *ssmStep, drop ...string) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range s.Inputs {
		if contains(drop, k) {
			continue
		}
		x, err := t.data(v)
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	return out, nil
}

// aliasOutputs gives the declared outputs of an action translated as
// several steps ($.ImageId of createImage) the expression of the action's
// own output of that name, on the step that holds the outputs.
func (t *translator) aliasOutputs(s *ssmStep, out []*step) error {
	var carrier *step
	for _, st := range out {
		if st.Name == t.carrier[s.Name] {
			carrier = st
		}
	}
	for _, o := range s.Outputs {
		if o == nil {
			continue
		}
		segs, err := parseSelector(o.Selector)
		if err != nil || len(segs) == 0 || segs[0].field == "" {
			return unsupported("an output selector the action's own outputs lack", o.Selector)
		}
		e := ""
		if carrier != nil && carrier.Outputs != nil {
			c := carrier.Outputs.Content
			for i := 0; i+1 < len(c); i += 2 {
				if c[i].Value == segs[0].field {
					e = c[i+1].Value
				}
			}
		}
		if e != "" && len(segs) > 1 {
			// $.InstanceIds[0]: the rest of the path over that output.
			if e, err = selectorExpr("("+e+")", nil, segs[1:]); err != nil {
				return err
			}
		}
		if e == "" {
			return unsupported("an output selector the action's own outputs lack", o.Selector)
		}
		if stepName(o.Name) != segs[0].field || len(segs) > 1 {
			carrier.Outputs.Content = append(carrier.Outputs.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: stepName(o.Name)}, &yaml.Node{Kind: yaml.ScalarNode, Value: e})
		}
	}
	return nil
}

// isTrue reads a boolean SSM writes as true or "true".
func isTrue(v any) bool {
	b, ok := v.(bool)
	if s, isStr := v.(string); isStr {
		b, ok = strings.EqualFold(s, "true"), true
	}
	return ok && b
}

// dropUnread removes the outputs an action gives of itself (runCommand's
// ResponseCode ...) that neither the document nor the action's own steps
// read; declared outputs stay.
func (t *translator) dropUnread(s *ssmStep, out []*step) {
	if s.Action == "aws:updateVariable" || t.conv[s.Name] != nil {
		return // its value (its arm) is read by later steps
	}
	declared := map[string]bool{}
	for _, o := range s.Outputs {
		if o != nil {
			declared[stepName(o.Name)] = true
		}
	}
	reads := textOf(out)
	for _, st := range out {
		if st.Outputs == nil {
			continue
		}
		var kept []*yaml.Node
		c := st.Outputs.Content
		for i := 0; i+1 < len(c); i += 2 {
			k := c[i].Value
			if declared[k] || t.referenced[s.Name+"."+k] || strings.Contains(reads, "steps."+st.Name+"."+k) {
				kept = append(kept, c[i], c[i+1])
			}
		}
		st.Outputs.Content = kept
		if len(kept) == 0 {
			st.Outputs = nil
		}
	}
}
