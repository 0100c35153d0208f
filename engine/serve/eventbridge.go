package serve

import (
	"encoding/json"
	"errors"
	"fmt"
)

// EventBridgeAlarmDetailType is the detail-type of the EventBridge events
// that ParseEventBridgeAlarm reads, from source aws.cloudwatch.
const EventBridgeAlarmDetailType = "CloudWatch Alarm State Change"

// eventBridgeAlarmEvent is an EventBridge "CloudWatch Alarm State Change"
// event, as EventBridge delivers it.
type eventBridgeAlarmEvent struct {
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"` // an eventBridgeAlarmDetail
}

type eventBridgeAlarmDetail struct {
	AlarmName     string            `json:"alarmName"`
	State         eventBridgeState  `json:"state"`
	PreviousState *eventBridgeState `json:"previousState"`
	Configuration struct {
		Metrics []struct {
			MetricStat *struct {
				Metric struct {
					Namespace  string            `json:"namespace"`
					Name       string            `json:"name"`
					Dimensions map[string]string `json:"dimensions"`
				} `json:"metric"`
			} `json:"metricStat"`
		} `json:"metrics"`
	} `json:"configuration"`
}

type eventBridgeState struct {
	Value     string `json:"value"`
	Reason    string `json:"reason"`
	Timestamp string `json:"timestamp"`
}

// ParseEventBridgeAlarm reads an EventBridge "CloudWatch Alarm State
// Change" event: the alarm's ARN is the event's first resource, its time
// the new state's timestamp. A metric math alarm's metric is the first one
// it reads; a composite alarm has none. Any other event is an error.
func ParseEventBridgeAlarm(body []byte) (*Alarm, error) {
	var ev eventBridgeAlarmEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("not an EventBridge event: %v", err)
	}
	if ev.DetailType != EventBridgeAlarmDetailType || ev.Source != "aws.cloudwatch" {
		return nil, fmt.Errorf("EventBridge event %q from %q is not a %q from aws.cloudwatch",
			ev.DetailType, ev.Source, EventBridgeAlarmDetailType)
	}
	var d eventBridgeAlarmDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil && len(ev.Detail) > 0 {
		return nil, fmt.Errorf("EventBridge alarm event: detail: %v", err)
	}
	if d.AlarmName == "" {
		return nil, errors.New("EventBridge alarm event has no detail.alarmName")
	}
	a := &Alarm{
		Name: d.AlarmName, State: d.State.Value, Reason: d.State.Reason, Account: ev.Account,
	}
	if d.PreviousState != nil {
		a.PreviousState = d.PreviousState.Value
	}
	if len(ev.Resources) > 0 {
		a.ARN = ev.Resources[0]
	}
	if err := cloudWatchAlarmARN(a); err != nil {
		return nil, fmt.Errorf("CloudWatch alarm %s: resources[0]: %v", a.Name, err)
	}
	if ev.Region != "" {
		a.Region = ev.Region
	}
	var err error
	if a.Time, err = cloudWatchTime(d.State.Timestamp); err != nil {
		return nil, fmt.Errorf("CloudWatch alarm %s: detail.state.timestamp: %v", a.Name, err)
	}
	if err := checkAlarmState(a); err != nil {
		return nil, fmt.Errorf("CloudWatch alarm %s: %v", a.Name, err)
	}
	for _, q := range d.Configuration.Metrics {
		if s := q.MetricStat; s != nil {
			a.Metric = Metric{Namespace: s.Metric.Namespace, Name: s.Metric.Name}
			if len(s.Metric.Dimensions) > 0 {
				a.Metric.Dimensions = s.Metric.Dimensions
			}
			break
		}
	}
	return a, nil
}
