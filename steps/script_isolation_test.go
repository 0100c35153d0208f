//go:build unix

package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/runbook-dev/runbook/engine"
)

// TestScriptOwnHome: a script does not run in the worker's home or
// directory: ~/.aws/credentials and files beside the worker are not
// where it looks, and what it leaves is gone after it.
func TestScriptOwnHome(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte("aws_secret_access_key = worker-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	wd, _ := os.Getwd()
	a := NewActivities(aws.Config{}, WithScripts())
	res, err := run(t, a, engine.ActivityScript, engine.Call{Input: cmd("sh", "-c",
		`echo "$HOME"; pwd; touch left-behind; cat "$HOME/.aws/credentials" 2>/dev/null || echo no credentials`),
		Outputs: outs("out=result.stdout")})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(res.Outputs["out"].(string)), "\n")
	if len(lines) != 3 || lines[0] == home || lines[1] == wd || lines[0] != lines[1] || lines[2] != "no credentials" {
		t.Fatalf("the script saw HOME, directory, credentials: %q (the worker's: %s, %s)", lines, home, wd)
	}
	if _, err := os.Stat(lines[1]); !os.IsNotExist(err) {
		t.Errorf("the script's directory %s outlived it: %v", lines[1], err)
	}
}

// TestScriptUnprivileged: a worker running as root runs scripts as an
// unprivileged user (nobody unless WithScriptUser): the worker's files
// (codec.key, 0600) and its environment in /proc stay out of reach.
func TestScriptUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs as root: this test must run there")
		}
		t.Skip("needs root")
	}
	key := filepath.Join(t.TempDir(), "codec.key")
	if err := os.WriteFile(key, []byte("k1:worker-codec-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := NewActivities(aws.Config{}, WithScripts())
	res, err := run(t, a, engine.ActivityScript, engine.Call{Input: cmd("sh", "-c",
		`id -u; cat "$0" 2>/dev/null || echo no key; tr '\0' '\n' < /proc/$PPID/environ 2>/dev/null | grep -c . || echo no environ`, key),
		Outputs: outs("out=result.stdout")})
	if err != nil {
		t.Fatal(err)
	}
	out := res.Outputs["out"].(string)
	if !strings.HasPrefix(out, "65534\n") || strings.Contains(out, "worker-codec-secret") || !strings.Contains(out, "no key") || !strings.Contains(out, "no environ") {
		t.Errorf("the script ran as %q", out)
	}
}

// TestScriptUserUnknown: a script user that does not exist fails the step
// with what to fix; the program never runs.
func TestScriptUserUnknown(t *testing.T) {
	a := NewActivities(aws.Config{}, WithScripts(), WithScriptUser("no-such-user-runbook"))
	_, err := run(t, a, engine.ActivityScript, engine.Call{Input: cmd("true")})
	if err == nil || !strings.Contains(err.Error(), "the user scripts run as: ") {
		t.Fatalf("err %v, want the user named", err)
	}
}
