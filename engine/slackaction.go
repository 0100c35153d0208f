package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Action IDs of the buttons the slack activity puts on a human step's
// message, and the callback ID of the answer form the Answer button opens.
const (
	SlackApprove = "runbook.approve"
	SlackReject  = "runbook.reject"
	SlackDone    = "runbook.done"
	SlackAnswer  = "runbook.answer"
)

// SlackAction is what a human step's Slack button carries in its value
// (and its answer form in its private metadata): the execution, the step
// and the request the person was shown, so that the decision the button
// leads to counts only for that request. Channel and TS, set in an
// answer form's metadata, are the message to update once answered.
type SlackAction struct {
	Execution string `json:"e"`
	Step      string `json:"s"`
	Request   string `json:"r"`
	Channel   string `json:"c,omitempty"`
	TS        string `json:"t,omitempty"`
}

// slackValueMax is the length Slack allows a button's value.
const slackValueMax = 2000

// Encode is a's text for a button's value: JSON.
func (a SlackAction) Encode() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// ParseSlackAction reads a button's value or a form's metadata, which
// must name an execution, a step and a request.
func ParseSlackAction(s string) (SlackAction, error) {
	var a SlackAction
	if len(s) > slackValueMax+1000 {
		return a, errors.New("the action's value is too long")
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, fmt.Errorf("the action's value is not a runbook action: %v", err)
	}
	if a.Execution == "" || a.Step == "" || a.Request == "" {
		return a, errors.New("the action's value does not name an execution, a step and a request")
	}
	return a, nil
}
