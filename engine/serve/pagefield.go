package serve

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// fieldPrefix starts the form name of an answer's field: field.NAME, so a
// field never collides with the form's own inputs (step, request).
const fieldPrefix = "field."

// fieldView is one field of a question as an input: a string a text
// input (its pattern the input's), an enum a select, a bool yes/no
// radios, an int or a float a number input with its bounds. Value is
// what the input holds: the default, or what the person typed.
type fieldView struct {
	Name        string
	Type        string
	Description string
	Input       string // text, number, select, radio
	Value       string
	Options     []string // select
	Pattern     string
	Min, Max    string
	Step        string // number: 1 for an int, any for a float
	Required    bool
}

// newFieldView is f as an input, its default filled in.
func newFieldView(f *engine.PlanParam) *fieldView {
	v := &fieldView{Name: f.Name, Type: f.Type, Description: f.Description, Input: "text", Required: f.Required, Value: formText(f.Default)}
	switch {
	case len(f.Enum) > 0:
		v.Input = "select"
		for _, e := range f.Enum {
			v.Options = append(v.Options, formText(e))
		}
	case f.Type == "bool":
		v.Input = "radio"
	case f.Type == "int" || f.Type == "float":
		v.Input, v.Step = "number", "1"
		if f.Type == "float" {
			v.Step = "any"
		}
		v.Min, v.Max = formText(f.Min.Data()), formText(f.Max.Data())
	}
	if f.Pattern != "" {
		// The workflow searches the value for the pattern; a browser
		// matches the whole value: let it match anywhere, as the workflow does.
		v.Pattern = ".*(?:" + f.Pattern + ").*"
	}
	return v
}

// FormName is the field's name in the form.
func (f *fieldView) FormName() string { return fieldPrefix + f.Name }

// formText is a value as an input holds it: "" for none, numbers without
// an exponent where they fit, lists and maps as JSON.
func formText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any, map[string]any:
		b, _ := json.Marshal(x) // decoded from JSON or YAML: it marshals
		return string(b)
	}
	return fmt.Sprint(v)
}

// answerOf is the answer a form sends: each field.NAME input with a
// value, as text (the workflow types it by the field). An empty input is
// no value: the field's default, or "missing" when it has none.
func answerOf(form url.Values) map[string]any {
	out := map[string]any{}
	for k, vs := range form {
		name, ok := strings.CutPrefix(k, fieldPrefix)
		if ok && len(vs) > 0 && vs[0] != "" {
			out[name] = vs[0]
		}
	}
	return out
}
