package steps

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// TestSecretValues: the secret fields of secret-bearing operations, and
// SecureString parameters only.
func TestSecretValues(t *testing.T) {
	for _, tt := range []struct {
		op     string
		result string
		want   []string
	}{
		{"secretsmanager:GetSecretValue", `{"ARN": "arn:x", "Name": "db", "SecretString": "pw1"}`, []string{"pw1"}},
		{"ssm:GetParameter", `{"Parameter": {"Name": "a", "Type": "SecureString", "Value": "pw2"}}`, []string{"pw2"}},
		{"ssm:GetParameter", `{"Parameter": {"Name": "a", "Type": "String", "Value": "plain"}}`, nil},
		{"ssm:GetParameters", `{"Parameters": [{"Type": "SecureString", "Value": "pw3"}, {"Type": "String", "Value": "p"}]}`, []string{"pw3"}},
		{"sts:AssumeRole", `{"Credentials": {"AccessKeyId": "AKIA", "SecretAccessKey": "sk", "SessionToken": "st"}}`, []string{"sk", "st"}},
		{"sqs:GetQueueUrl", `{"QueueUrl": "https://q"}`, nil},
	} {
		v, err := engine.ParseJSON([]byte(tt.result))
		if err != nil {
			t.Fatal(err)
		}
		if got := secretValues(tt.op, v); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s %s: %q, want %q", tt.op, tt.result, got, tt.want)
		}
	}
}
