package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSlackFlags: the Slack token and signing secret files are read at
// start, refused when group or others can read them or when empty, and
// serve's Slack hook needs the token beside the secret.
func TestSlackFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	token, secret := write("token", "xoxb-1-2-abc\n", 0o600), write("secret", "s3cr3t\n", 0o600)
	if got, err := (workerFlags{SlackTokenFile: token}).slackToken(); err != nil || got != "xoxb-1-2-abc" {
		t.Errorf("token %q, %v", got, err)
	}
	var usage *usageError
	for _, tc := range []struct {
		name, path, want string
	}{
		{"world-readable", write("open", "xoxb-1", 0o644), "can be read by group or others (mode 0644): chmod 600 it"},
		{"empty", write("empty", " \n", 0o600), "is empty"},
		{"missing", filepath.Join(dir, "none"), "no such file"},
	} {
		if _, err := (workerFlags{SlackTokenFile: tc.path}).slackToken(); !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a usage error saying %q", tc.name, err, tc.want)
		}
	}
	c := &serveCmd{SlackSecret: secret}
	if _, err := c.slackHook(); !errors.As(err, &usage) || !strings.Contains(err.Error(), "needs --slack-token-file") {
		t.Errorf("secret without token: %v", err)
	}
	c.SlackTokenFile = token
	if h, err := c.slackHook(); err != nil || string(h.SigningSecret) != "s3cr3t" || h.Token != "xoxb-1-2-abc" {
		t.Errorf("hook %+v, %v", h, err)
	}
	c.SlackSecret = write("open-secret", "s3cr3t", 0o640)
	if _, err := c.slackHook(); !errors.As(err, &usage) || !strings.Contains(err.Error(), "--slack-signing-secret-file") {
		t.Errorf("a group-readable secret: %v", err)
	}
	if h, err := (&serveCmd{}).slackHook(); h != nil || err != nil {
		t.Errorf("no secret: %+v, %v, want the hook off", h, err)
	}
}
