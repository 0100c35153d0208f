package serve

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/runbook-dev/runbook/engine"
)

// The answer form's block IDs are fieldBlock + the field's name; each
// block's input has the action ID fieldAction.
const (
	fieldBlock  = "field:"
	fieldAction = "value"
)

// answerForm is the modal that answers ask step step, waiting on ap: the
// question, then an input per field (string: a text input; enum: a
// select; bool: yes or no; int and float: a number input within min and
// max), its default filled in. meta, the form's private metadata, binds
// the answer to the request shown and names the message to update.
func answerForm(step string, ap *engine.Approval, meta string) slack.ModalViewRequest {
	blocks := []slack.Block{mrkdwnSection(slackEscape(ap.Message))}
	for _, f := range ap.Fields {
		label := f.Name
		var hint *slack.TextBlockObject
		if f.Description != "" {
			hint = plainText(clipText(f.Description, 2000))
		}
		in := slack.NewInputBlock(fieldBlock+f.Name, plainText(clipText(label, 2000)), hint, fieldInput(f))
		in.Optional = !f.Required
		blocks = append(blocks, in)
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plainText(clipText("Answer: "+step, 24)), Submit: plainText("Answer"), Close: plainText("Cancel"),
		CallbackID: engine.SlackAnswer, PrivateMetadata: meta, Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// fieldInput is the input element of one field.
func fieldInput(f *engine.PlanParam) slack.BlockElement {
	def := ""
	if f.Default != nil {
		def = fmt.Sprint(f.Default)
	}
	option := func(v string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(v, plainText(clipText(v, 75)), nil)
	}
	switch {
	case len(f.Enum) > 0:
		var opts []*slack.OptionBlockObject
		for _, v := range f.Enum {
			opts = append(opts, option(fmt.Sprint(v)))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose"), fieldAction, opts...)
		if def != "" {
			sel.InitialOption = option(def)
		}
		return sel
	case f.Type == "bool":
		yes, no := slack.NewOptionBlockObject("true", plainText("yes"), nil), slack.NewOptionBlockObject("false", plainText("no"), nil)
		radio := slack.NewRadioButtonsBlockElement(fieldAction, yes, no)
		switch def {
		case "true":
			radio.InitialOption = yes
		case "false":
			radio.InitialOption = no
		}
		return radio
	case f.Type == "int" || f.Type == "float":
		num := slack.NewNumberInputBlockElement(nil, fieldAction, f.Type == "float")
		num.InitialValue, num.MinValue, num.MaxValue = def, bound(f.Min), bound(f.Max)
		return num
	}
	in := slack.NewPlainTextInputBlockElement(nil, fieldAction)
	in.InitialValue = def
	switch f.Type {
	case "list":
		in.Placeholder = plainText("a, b, c (or a JSON array)")
	case "map":
		in.Placeholder, in.Multiline = plainText(`{"key": "value"}`), true
	}
	return in
}

// bound is a number field's min or max as Slack's number input takes it.
func bound(v *engine.Value) string {
	switch {
	case v == nil:
		return ""
	case v.Kind == engine.Float:
		return strconv.FormatFloat(v.Float, 'f', -1, 64)
	}
	return strconv.FormatInt(v.Int, 10)
}

// formAnswer reads a submitted answer form's values, typed by the fields
// (a field left empty takes its default), and the problems, per block ID,
// of those that do not fit (a value of the wrong type, outside its enum,
// pattern, min or max; a required field left empty). Values of blocks
// that name no field are kept as given, for the workflow to refuse.
func formAnswer(fields []*engine.PlanParam, state *slack.ViewState) (map[string]any, map[string]string) {
	answer, problems := map[string]any{}, map[string]string{}
	if state == nil {
		state = &slack.ViewState{}
	}
	for block, inputs := range state.Values {
		name, ok := strings.CutPrefix(block, fieldBlock)
		in, given := inputs[fieldAction]
		if !ok || !given {
			continue
		}
		raw := in.Value
		if in.SelectedOption.Value != "" {
			raw = in.SelectedOption.Value
		}
		if raw == "" {
			continue
		}
		f := fieldNamed(fields, name)
		if f == nil {
			answer[name] = raw
			continue
		}
		v, err := engine.ParseParam(f, raw)
		if err == nil {
			_, err = engine.CheckAnswer([]*engine.PlanParam{f}, map[string]any{name: v})
		}
		if err != nil {
			problems[block] = strings.TrimPrefix(err.Error(), "field "+name+": ")
			continue
		}
		answer[name] = v
	}
	for _, f := range fields {
		if _, ok := answer[f.Name]; !ok && f.Required && problems[fieldBlock+f.Name] == "" {
			problems[fieldBlock+f.Name] = "an answer is required"
		}
	}
	return answer, problems
}

func fieldNamed(fields []*engine.PlanParam, name string) *engine.PlanParam {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}
