package serve

import "time"

// Alarm is one CloudWatch alarm state change, whatever hook brought it.
// Its Data form is what a definition's expressions read as `alarm`.
type Alarm struct {
	Name          string    `json:"name"`
	ARN           string    `json:"arn"`
	State         string    `json:"state"` // ALARM, OK, INSUFFICIENT_DATA
	PreviousState string    `json:"previousState,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	Time          time.Time `json:"time"` // of the state change
	Account       string    `json:"account"`
	Region        string    `json:"region"`
	Metric        Metric    `json:"metric"`
}

// Metric is the alarm's metric, when it watches one.
type Metric struct {
	Namespace  string            `json:"namespace,omitempty"`
	Name       string            `json:"name,omitempty"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
}

// Data is the alarm as expressions read it (`alarm.name`,
// `alarm.metric.dimensions.TableName`): strings, the time in RFC 3339.
func (a *Alarm) Data() map[string]any {
	dims := map[string]any{}
	for k, v := range a.Metric.Dimensions {
		dims[k] = v
	}
	return map[string]any{
		"name": a.Name, "arn": a.ARN, "state": a.State, "previousState": a.PreviousState,
		"reason": a.Reason, "time": a.Time.UTC().Format(time.RFC3339Nano), "account": a.Account, "region": a.Region,
		"metric": map[string]any{"namespace": a.Metric.Namespace, "name": a.Metric.Name, "dimensions": dims},
	}
}

// Episode identifies one state change of one alarm: a repeated delivery
// of it has the same episode, hence the same workflow ID.
func (a *Alarm) Episode() string {
	return a.ARN + "/" + a.Time.UTC().Format(time.RFC3339Nano)
}
