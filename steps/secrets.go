package steps

import (
	"maps"
	"slices"
	"strings"
)

// secretField is where an operation's result holds a secret: a path of
// field names ("[]" walks every element of a list, "{}" every value of a
// map), and the condition on the enclosing object, when the field is
// secret only sometimes.
type secretField struct {
	path []string
	when func(map[string]any) bool
}

//go:generate go test -run TestSecretFieldsCoverSDK -update .

func secureString(m map[string]any) bool { return m["Type"] == "SecureString" }

func field(path string, when func(map[string]any) bool) secretField {
	return secretField{path: strings.Split(path, "."), when: when}
}

// secretFields are the operations whose results hold secrets: Secrets
// Manager values, SecureString parameters, credentials, plaintext keys.
// The generated sdkSecretFields adds the secrets the SDK marks sensitive
// (see TestSecretFieldsCoverSDK, which fails on a sensitive field that is
// neither sealed nor reviewed).
var secretFields = map[string][]secretField{
	"secretsmanager:GetSecretValue":      {field("SecretString", nil), field("SecretBinary", nil)},
	"secretsmanager:BatchGetSecretValue": {field("SecretValues.[].SecretString", nil), field("SecretValues.[].SecretBinary", nil)},
	"ssm:GetParameter":                   {field("Parameter.Value", secureString)},
	"ssm:GetParameters":                  {field("Parameters.[].Value", secureString)},
	"ssm:GetParametersByPath":            {field("Parameters.[].Value", secureString)},
	"ssm:GetParameterHistory":            {field("Parameters.[].Value", secureString)},
	"iam:CreateAccessKey":                {field("AccessKey.SecretAccessKey", nil)},
	"kms:Decrypt":                        {field("Plaintext", nil)},
	"kms:GenerateDataKey":                {field("Plaintext", nil)},
	"kms:GenerateDataKeyPair":            {field("PrivateKeyPlaintext", nil)},
	"kms:GenerateRandom":                 {field("Plaintext", nil)},
	"ecr:GetAuthorizationToken":          {field("AuthorizationData.[].AuthorizationToken", nil)},
}

func init() {
	creds := []secretField{field("Credentials.SecretAccessKey", nil), field("Credentials.SessionToken", nil)}
	for _, op := range []string{"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot", "GetSessionToken", "GetFederationToken", "GetDelegatedAccessToken"} {
		secretFields["sts:"+op] = creds
	}
}

// secretValues returns the secrets in the result of operation op
// (service:Operation): what the history, logs and output must hide.
func secretValues(op string, result any) []string {
	var out []string
	for _, f := range secretFields[op] {
		out = collectField(out, result, f.path, f.when)
	}
	for _, f := range sdkSecretFields[op] {
		out = collectField(out, result, f.path, f.when)
	}
	return out
}

func collectField(out []string, v any, path []string, when func(map[string]any) bool) []string {
	if len(path) == 0 {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
		return out
	}
	switch path[0] {
	case "[]":
		l, _ := v.([]any)
		for _, e := range l {
			out = collectField(out, e, path[1:], when)
		}
		return out
	case "{}":
		m, _ := v.(map[string]any)
		// Sorted: the same result gives the same secrets, in order.
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = collectField(out, m[k], path[1:], when)
		}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok || len(path) == 1 && when != nil && !when(m) {
		return out
	}
	return collectField(out, m[path[0]], path[1:], when)
}
