package serve

import (
	"strings"
	"testing"
	"time"
)

func TestParseEventBridgeAlarm(t *testing.T) {
	// edit returns the event with old replaced by new, or fails the test.
	edit := func(file, old, new string) string {
		body := hookTestdata(t, file)
		if !strings.Contains(body, old) {
			t.Fatalf("%s holds no %q", file, old)
		}
		return strings.Replace(body, old, new, 1)
	}
	tests := []struct {
		name string
		body string // testdata file, or the event itself
		want *Alarm
		err  string
	}{
		{name: "metric alarm", body: "eventbridge-alarm.json", want: &Alarm{
			Name: "web-cpu-high", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high",
			State: "ALARM", PreviousState: "OK",
			Reason: "Threshold Crossed: 1 out of the last 1 datapoints [93.4 (26/11/26 09:55:00)] was greater than " +
				"the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).",
			Time: time.Date(2026, 11, 26, 10, 0, 0, 989e6, time.UTC), Account: "123456789012", Region: "us-east-1",
			Metric: Metric{Namespace: "AWS/EC2", Name: "CPUUtilization",
				Dimensions: map[string]string{"InstanceId": "i-0123456789abcdef0"}},
		}},
		{name: "metric math alarm", body: "eventbridge-metric-math.json", want: &Alarm{
			Name: "orders-api-error-rate", ARN: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-error-rate",
			State: "INSUFFICIENT_DATA", PreviousState: "OK", Reason: "Insufficient Data: 1 datapoint was unknown.",
			Time: time.Date(2026, 11, 26, 11, 3, 7, 4e6, time.UTC), Account: "123456789012", Region: "eu-west-1",
			Metric: Metric{Namespace: "AWS/ApiGateway", Name: "5XXError",
				Dimensions: map[string]string{"ApiName": "orders-api", "Stage": "prod"}},
		}},
		{name: "composite alarm", body: "eventbridge-composite.json", want: &Alarm{
			Name: "orders-health", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-health",
			State: "ALARM", PreviousState: "OK",
			Reason: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high transitioned to ALARM at " +
				"Thursday 26 November, 2026 10:00:00 UTC",
			Time: time.Date(2026, 11, 26, 10, 0, 1, 412e6, time.UTC), Account: "123456789012", Region: "us-east-1",
		}},
		{name: "other detail type", body: "eventbridge-ec2-state.json",
			err: `EventBridge event "EC2 Instance State-change Notification" from "aws.ec2" is not a ` +
				`"CloudWatch Alarm State Change" from aws.cloudwatch`},
		{name: "other source", body: edit("eventbridge-alarm.json", `"aws.cloudwatch"`, `"my.app"`),
			err: `from "my.app" is not a "CloudWatch Alarm State Change" from aws.cloudwatch`},
		{name: "not JSON", body: "alarm!", err: "not an EventBridge event"},
		{name: "no detail", body: `{"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch"}`,
			err: "EventBridge alarm event has no detail.alarmName"},
		{name: "no resources", body: edit("eventbridge-alarm.json", `"arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high"`, ""),
			err: "CloudWatch alarm web-cpu-high: resources[0]: missing"},
		{name: "resource not an alarm", body: edit("eventbridge-alarm.json", ":alarm:web-cpu-high", ":dashboard/web"),
			err: "is not a CloudWatch alarm ARN"},
		{name: "bad state", body: edit("eventbridge-alarm.json", `"value": "ALARM"`, `"value": "FIRING"`),
			err: `CloudWatch alarm web-cpu-high: state "FIRING" is not ALARM, OK or INSUFFICIENT_DATA`},
		{name: "bad previous state", body: edit("eventbridge-alarm.json", `"value": "OK"`, `"value": "ok"`),
			err: `previous state "ok" is not ALARM, OK or INSUFFICIENT_DATA`},
		{name: "no timestamp", body: edit("eventbridge-alarm.json", `"timestamp": "2026-11-26T10:00:00.989+0000"`, `"timestamp": ""`),
			err: "CloudWatch alarm web-cpu-high: detail.state.timestamp: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if strings.HasSuffix(body, ".json") {
				body = hookTestdata(t, body)
			}
			got, err := ParseEventBridgeAlarm([]byte(body))
			hookCheckErr(t, err, tt.err)
			hookCheckAlarm(t, got, tt.want)
		})
	}
}

// TestExampleAlarms parses the payloads in examples/alarms: the same state
// change of one alarm, by SNS, EventBridge and the generic hook, which must
// give the same Alarm (hence the same episode).
func TestExampleAlarms(t *testing.T) {
	want := &Alarm{
		Name: "orders-eu-backlog", ARN: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-eu-backlog",
		State: "ALARM", PreviousState: "OK",
		Reason: "Threshold Crossed: 1 out of the last 1 datapoints [1520.0 (26/11/26 09:59:00)] was greater than " +
			"the threshold (1000.0) (minimum 1 datapoint for OK -> ALARM transition).",
		Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Account: "123456789012", Region: "eu-west-1",
		Metric: Metric{Namespace: "AWS/SQS", Name: "ApproximateNumberOfMessagesVisible",
			Dimensions: map[string]string{"QueueName": "orders-eu"}},
	}
	tests := []struct {
		file  string
		parse func([]byte) (*Alarm, error)
	}{
		{"sns-notification.json", func(b []byte) (*Alarm, error) {
			var m SNSMessage
			if err := hookDecodeStrict(b, &m); err != nil {
				return nil, err
			}
			return ParseSNSAlarm(&m)
		}},
		{"eventbridge-alarm.json", ParseEventBridgeAlarm},
		{"generic-alarm.json", ParseGenericAlarm},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := hookTestdata(t, "../../../examples/alarms/"+tt.file)
			got, err := tt.parse([]byte(body))
			hookCheckErr(t, err, "")
			hookCheckAlarm(t, got, want)
		})
	}
}
