package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigFileErrors: a --config file's mistakes are usage errors at
// their line and column, with the flag meant; its values reach the flags.
func TestConfigFileErrors(t *testing.T) {
	dir := workdir(t, map[string]string{
		"typo.yaml":   "listen: 127.0.0.1:0\nsns-topics: [arn:aws:sns:us-east-1:123456789012:alarms]\n",
		"twice.yaml":  "listen: a\nlisten: b\n",
		"list.yaml":   "listen: [a, b]\n",
		"notarn.yaml": "sns-topic: [my-topic]\n",
		"worker.yaml": "allow-scripts: true\nlisten: 127.0.0.1:0\n",
	})
	for _, tc := range []struct {
		cmd, file, want string
	}{
		{"serve", "typo.yaml", `typo.yaml:2:1: runbook serve has no flag --sns-topics; did you mean "sns-topic"?`},
		{"serve", "twice.yaml", `twice.yaml:2:1: "listen" is set twice`},
		{"serve", "list.yaml", `list.yaml:1:9: listen takes one value, not a list`},
		{"serve", "notarn.yaml", `--sns-topic "my-topic" is not an SNS topic ARN`},
		{"worker", "worker.yaml", `worker.yaml:2:1: runbook worker has no flag --listen`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cmd := exec.Command(bin, tc.cmd, "--config", filepath.Join(dir, tc.file), "--state-dir", t.TempDir())
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != exitUsage || !strings.Contains(string(out), tc.want) {
				t.Fatalf("runbook %s --config %s: %v\n%s\nwant exit 2 and %q", tc.cmd, tc.file, err, out, tc.want)
			}
		})
	}
}

// TestConfigFileSNSTopics: the SNS hook is on for the topics a config
// file names, as with --sns-topic: a message of another topic is refused
// as such, not as "the hook is off"; a flag on the command line wins over
// the file.
func TestConfigFileSNSTopics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir(), "--no-worker")
	dir := workdir(t, map[string]string{
		"serve.yaml": "# runbook serve --config serve.yaml\nsns-topic:\n  - arn:aws:sns:us-east-1:123456789012:alarms\nlisten: 256.0.0.1:1\n",
	})
	off := startServe(t, env, "--listen", "127.0.0.1:0", "--address", addr)
	on := startServe(t, env, "--listen", "127.0.0.1:0", "--address", addr, "--config", filepath.Join(dir, "serve.yaml"))
	msg := `{"Type":"Notification","MessageId":"m1","TopicArn":"arn:aws:sns:us-east-1:999999999999:theirs","Message":"{}","Timestamp":"2026-12-07T00:00:00Z","SignatureVersion":"2","Signature":"AA==","SigningCertURL":"https://sns.us-east-1.amazonaws.com/x.pem"}`
	for _, tc := range []struct{ base, want string }{
		{off, "the SNS hook is off"},
		{on, "arn:aws:sns:us-east-1:999999999999:theirs is not one this server accepts"},
	} {
		resp, err := http.Post(tc.base+"/v1/hooks/sns", "text/plain", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Detail string }
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(p.Detail, tc.want) {
			t.Errorf("%s: %d %q; want 403 and %q", tc.base, resp.StatusCode, p.Detail, tc.want)
		}
	}
}
