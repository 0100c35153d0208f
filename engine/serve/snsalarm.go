package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// snsAlarmMessage is the CloudWatch alarm that an SNS Notification's
// Message holds, as CloudWatch writes it.
type snsAlarmMessage struct {
	AlarmName       string
	AlarmArn        string
	AWSAccountId    string
	NewStateValue   string
	OldStateValue   string
	NewStateReason  string
	StateChangeTime string
	Region          string // a long name: "US East (N. Virginia)"
	Trigger         *struct {
		MetricName string
		Namespace  string
		Dimensions []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		}
		Metrics []struct { // a metric math alarm's
			MetricStat *struct {
				Metric struct {
					MetricName string
					Namespace  string
					Dimensions []struct {
						Name  string `json:"name"`
						Value string `json:"value"`
					}
				}
			}
		}
	}
}

// ParseSNSAlarm reads the CloudWatch alarm state change that an SNS
// Notification carries. The region is the code in AlarmArn ("us-east-1"),
// not the Message's long name. A metric math alarm's metric is the first
// one it reads; a composite alarm has none.
func ParseSNSAlarm(m *SNSMessage) (*Alarm, error) {
	if m.Type != SNSNotification {
		return nil, fmt.Errorf("SNS message of type %q holds no alarm: want %s", m.Type, SNSNotification)
	}
	var msg snsAlarmMessage
	if err := json.Unmarshal([]byte(m.Message), &msg); err != nil {
		return nil, fmt.Errorf("SNS Message is not a CloudWatch alarm: %v", err)
	}
	if msg.AlarmName == "" || msg.NewStateValue == "" {
		return nil, errors.New("SNS Message is not a CloudWatch alarm: no AlarmName or NewStateValue")
	}
	a := &Alarm{
		Name: msg.AlarmName, ARN: msg.AlarmArn, State: msg.NewStateValue, PreviousState: msg.OldStateValue,
		Reason: msg.NewStateReason, Account: msg.AWSAccountId,
	}
	if err := cloudWatchAlarmARN(a); err != nil {
		return nil, fmt.Errorf("CloudWatch alarm %s: AlarmArn: %v", a.Name, err)
	}
	var err error
	if a.Time, err = cloudWatchTime(msg.StateChangeTime); err != nil {
		return nil, fmt.Errorf("CloudWatch alarm %s: StateChangeTime: %v", a.Name, err)
	}
	if err := checkAlarmState(a); err != nil {
		return nil, fmt.Errorf("CloudWatch alarm %s: %v", a.Name, err)
	}
	if t := msg.Trigger; t != nil {
		a.Metric = Metric{Namespace: t.Namespace, Name: t.MetricName}
		dims := t.Dimensions
		if t.MetricName == "" {
			for _, q := range t.Metrics {
				if q.MetricStat != nil {
					s := q.MetricStat.Metric
					a.Metric = Metric{Namespace: s.Namespace, Name: s.MetricName}
					dims = s.Dimensions
					break
				}
			}
		}
		for _, d := range dims {
			if a.Metric.Dimensions == nil {
				a.Metric.Dimensions = map[string]string{}
			}
			a.Metric.Dimensions[d.Name] = d.Value
		}
	}
	return a, nil
}

// cloudWatchAlarmARN checks a's ARN, arn:PARTITION:cloudwatch:REGION:
// ACCOUNT:alarm:NAME, and takes the region from it, and the account when
// a has none.
func cloudWatchAlarmARN(a *Alarm) error {
	if a.ARN == "" {
		return errors.New("missing")
	}
	p := strings.SplitN(a.ARN, ":", 7)
	if len(p) != 7 || p[0] != "arn" || p[2] != "cloudwatch" || p[3] == "" || p[5] != "alarm" {
		return fmt.Errorf("%q is not a CloudWatch alarm ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)", a.ARN)
	}
	a.Region = p[3]
	if a.Account == "" {
		a.Account = p[4]
	}
	return nil
}

// cloudWatchTime parses CloudWatch's times, "2026-11-26T10:00:00.000+0000",
// or RFC 3339 ones.
func cloudWatchTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339Nano} { // fractions are optional
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2026-11-26T10:00:00.000+0000", s)
}

// checkAlarmState checks a's states: ALARM, OK or INSUFFICIENT_DATA.
func checkAlarmState(a *Alarm) error {
	for _, s := range []struct{ field, value string }{{"state", a.State}, {"previous state", a.PreviousState}} {
		switch s.value {
		case "ALARM", "OK", "INSUFFICIENT_DATA":
		case "":
			if s.field == "state" {
				return errors.New("no state")
			}
		default:
			return fmt.Errorf("%s %q is not ALARM, OK or INSUFFICIENT_DATA", s.field, s.value)
		}
	}
	return nil
}
