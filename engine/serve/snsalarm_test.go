package serve

import (
	"strings"
	"testing"
	"time"
)

func TestParseSNSAlarm(t *testing.T) {
	tests := []struct {
		name    string
		message string // testdata file, or the Message itself
		typ     string
		want    *Alarm
		err     string
	}{
		{name: "metric alarm", message: "sns-alarm.json", want: &Alarm{
			Name: "orders-eu-backlog", ARN: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-eu-backlog",
			State: "ALARM", PreviousState: "OK",
			Reason: "Threshold Crossed: 1 out of the last 1 datapoints [1520.0 (26/11/26 09:59:00)] was greater than " +
				"the threshold (1000.0) (minimum 1 datapoint for OK -> ALARM transition).",
			Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Account: "123456789012", Region: "eu-west-1",
			Metric: Metric{Namespace: "AWS/SQS", Name: "ApproximateNumberOfMessagesVisible",
				Dimensions: map[string]string{"QueueName": "orders-eu"}},
		}},
		{name: "metric math alarm", message: "sns-alarm-metric-math.json", want: &Alarm{
			Name: "orders-api-error-rate", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-error-rate",
			State: "OK", PreviousState: "ALARM",
			Reason: "Threshold Crossed: 1 datapoint [0.0012 (26/11/26 10:41:00)] was not greater than the threshold (0.05).",
			Time:   time.Date(2026, 11, 26, 10, 42, 31, 528e6, time.UTC), Account: "123456789012", Region: "us-east-1",
			Metric: Metric{Namespace: "AWS/ApiGateway", Name: "5XXError",
				Dimensions: map[string]string{"ApiName": "orders-api", "Stage": "prod"}},
		}},
		{name: "composite alarm", message: `{"AlarmName":"c","AlarmArn":"arn:aws:cloudwatch:us-east-1:1:alarm:c",` +
			`"NewStateValue":"ALARM","StateChangeTime":"2026-11-26T10:00:00Z","AlarmRule":"ALARM(a)"}`,
			want: &Alarm{Name: "c", ARN: "arn:aws:cloudwatch:us-east-1:1:alarm:c", State: "ALARM",
				Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Account: "1", Region: "us-east-1"}},
		{name: "confirmation", message: "sns-alarm.json", typ: SNSSubscriptionConfirmation,
			err: `SNS message of type "SubscriptionConfirmation" holds no alarm`},
		{name: "text", message: "hello", err: "SNS Message is not a CloudWatch alarm: invalid character"},
		{name: "other JSON", message: `{"source":"aws.ec2"}`, err: "SNS Message is not a CloudWatch alarm: no AlarmName"},
		{name: "no ARN", message: `{"AlarmName":"a","NewStateValue":"ALARM","StateChangeTime":"2026-11-26T10:00:00.000+0000"}`,
			err: "CloudWatch alarm a: AlarmArn: missing"},
		{name: "bad ARN", message: `{"AlarmName":"a","AlarmArn":"arn:aws:sns:us-east-1:1:t","NewStateValue":"ALARM"}`,
			err: `AlarmArn: "arn:aws:sns:us-east-1:1:t" is not a CloudWatch alarm ARN`},
		{name: "bad time", message: `{"AlarmName":"a","AlarmArn":"arn:aws:cloudwatch:us-east-1:1:alarm:a",` +
			`"NewStateValue":"ALARM","StateChangeTime":"26/11/2026"}`, err: `StateChangeTime: "26/11/2026" is not a time`},
		{name: "bad state", message: `{"AlarmName":"a","AlarmArn":"arn:aws:cloudwatch:us-east-1:1:alarm:a",` +
			`"NewStateValue":"RED","StateChangeTime":"2026-11-26T10:00:00.000+0000"}`,
			err: `CloudWatch alarm a: state "RED" is not ALARM, OK or INSUFFICIENT_DATA`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := tt.message
			if strings.HasSuffix(msg, ".json") {
				msg = hookTestdata(t, msg)
			}
			typ := tt.typ
			if typ == "" {
				typ = SNSNotification
			}
			got, err := ParseSNSAlarm(&SNSMessage{Type: typ, Message: msg})
			hookCheckErr(t, err, tt.err)
			hookCheckAlarm(t, got, tt.want)
		})
	}
}
