package steps

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

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
		// sdkSecretFields (generated from the SDK's sensitive members):
		{"ec2:CreateKeyPair", `{"KeyName": "k", "KeyFingerprint": "fp", "KeyMaterial": "-----BEGIN RSA PRIVATE KEY-----"}`, []string{"-----BEGIN RSA PRIVATE KEY-----"}},
		{"secretsmanager:GetRandomPassword", `{"RandomPassword": "pw4"}`, []string{"pw4"}},
		{"redshift:GetClusterCredentials", `{"DbUser": "IAM:admin", "DbPassword": "pw5"}`, []string{"pw5"}},
		{"redshift:GetClusterCredentialsWithIAM", `{"DbUser": "IAM:admin", "DbPassword": "pw6"}`, []string{"pw6"}},
		{"iam:CreateServiceSpecificCredential", `{"ServiceSpecificCredential": {"ServiceUserName": "u", "ServicePassword": "sp", "ServiceCredentialSecret": "scs"}}`, []string{"scs", "sp"}},
		{"ecs:DescribeTaskDefinition", `{"TaskDefinition": {"ContainerDefinitions": [{"Environment": [{"Name": "DB_PASSWORD", "Value": "pw7"}]}, {"Environment": null}]}}`, []string{"pw7"}},
		{"lambda:GetFunctionConfiguration", `{"Environment": {"Variables": {"B": "v2", "A": "v1"}}}`, []string{"v1", "v2"}},
		{"lambda:GetFunctionConfiguration", `{"Environment": null}`, nil},
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

// TestSecretValuesOfSDKOutputs: the paths of secretFields and
// sdkSecretFields find the secrets in what the activity has, SDK
// outputs as engine.ToData converts them (a union, a map).
func TestSecretValuesOfSDKOutputs(t *testing.T) {
	for _, tt := range []struct {
		op   string
		out  any
		want []string
	}{
		{"ec2:CreateKeyPair", &ec2.CreateKeyPairOutput{KeyName: aws.String("k"), KeyMaterial: aws.String("pem")}, []string{"pem"}},
		{"ec2:DescribeVpnConnections", &ec2.DescribeVpnConnectionsOutput{VpnConnections: []ec2types.VpnConnection{{
			CustomerGatewayConfiguration: aws.String("<xml/>"),
			Options:                      &ec2types.VpnConnectionOptions{TunnelOptions: []ec2types.TunnelOption{{PreSharedKey: aws.String("psk")}}},
		}}}, []string{"<xml/>", "psk"}},
		{"emr:GetClusterSessionCredentials", &emr.GetClusterSessionCredentialsOutput{
			Credentials: &emrtypes.CredentialsMemberUsernamePassword{Value: emrtypes.UsernamePassword{Username: aws.String("u"), Password: aws.String("pw")}},
		}, []string{"pw"}},
		{"lambda:GetFunction", &lambda.GetFunctionOutput{Configuration: &lambdatypes.FunctionConfiguration{
			Environment: &lambdatypes.EnvironmentResponse{Variables: map[string]string{"TOKEN": "t0k3n"}},
		}}, []string{"t0k3n"}},
	} {
		if got := secretValues(tt.op, engine.ToData(tt.out)); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: %q, want %q", tt.op, got, tt.want)
		}
	}
}
