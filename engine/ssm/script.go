package ssm

import (
	"strings"
)

// pythonShim runs an executeScript handler as SSM does: the events (the
// InputPayload) arrive as JSON on stdin; whatever the script prints goes
// to stderr; the handler's return value is written to stdout as JSON.
const pythonShim = `import json, os, sys
events = json.load(sys.stdin)
out, sys.stdout = sys.stdout, sys.stderr
scope = {"__name__": "__ssm_script__"}
exec(compile(os.environ["SSM_SCRIPT"], "script", "exec"), scope)
result = scope[os.environ["SSM_HANDLER"]](events, {})
sys.stdout = out
json.dump(result, out, default=str)
`

// executeScript translates an inline Python script into a script step
// running python3 through pythonShim; its outputs read the payload from
// stdout ($.Payload.X becomes fromJSON(result.stdout).X).
func (t *translator) executeScript(s *ssmStep, name string) ([]*step, error) {
	runtime, _ := s.Inputs["Runtime"].(string)
	if !strings.HasPrefix(runtime, "python3") {
		return nil, unsupported("executeScript: runtime "+runtime+" has no shim", runtime)
	}
	code, ok := s.Inputs["Script"].(string)
	if !ok || code == "" {
		return nil, unsupported("executeScript: code in an attachment the document does not include", toString(s.Inputs["Attachment"]))
	}
	if strings.Contains(code, "${{") {
		return nil, unsupported("executeScript: the code holds ${{, which v1 would interpolate", s.Name)
	}
	handler, _ := s.Inputs["Handler"].(string)
	if handler == "" {
		return nil, unsupported("executeScript: no Handler", s.Name)
	}
	if i := strings.LastIndexByte(handler, '.'); i >= 0 {
		handler = handler[i+1:]
	}
	events := "{}"
	if p, ok := s.Inputs["InputPayload"]; ok {
		e, err := t.dataExpr(p)
		if err != nil {
			return nil, err
		}
		events = e
	}
	st := &step{Name: name, Script: &script{
		Command: []string{"python3", "-c", pythonShim},
		Env:     map[string]string{"SSM_SCRIPT": code, "SSM_HANDLER": handler},
		Stdin:   "${{ toJSON(" + events + ") }}",
	}}
	om := &orderedMap{}
	err := eachSelector(s, func(o *ssmOutput, segs []segment) error {
		switch {
		case len(segs) == 0:
			// $ is the whole response, the payload under Payload.
			om.set(stepName(o.Name), `{"Payload": fromJSON(result.stdout)}`)
		case segs[0].field != "Payload":
			// The action's response holds only Payload: SSM leaves
			// this output unset.
			om.setNote(stepName(o.Name), "nil", o.Selector+": executeScript's response holds only Payload; SSM leaves this output unset")
		default:
			e, err := selectorExpr("fromJSON(result.stdout)", nil, segs[1:])
			if err != nil {
				return err
			}
			om.set(stepName(o.Name), e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t.referenced[s.Name+".OutputPayload"] {
		om.set("OutputPayload", `toJSON({"Payload": fromJSON(result.stdout)})`)
	}
	st.Outputs = om.yamlNode()
	return []*step{st}, nil
}
