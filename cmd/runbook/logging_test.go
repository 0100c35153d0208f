package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/logging"
)

// failingHTTP fails at its only step: nothing listens on port 1.
const failingHTTP = `apiVersion: runbook/v1
kind: Runbook
name: logs-failing
version: 1.0.0
steps:
  - name: call
    http: {method: GET, url: "http://127.0.0.1:1/", allowPrivate: true}
`

// TestProcessLogs runs `runbook serve --log-format json` as the only
// worker of a `runbook server`, and a runbook whose http step fails:
// every line serve writes to stderr is a JSON object with a level and a
// msg, and the Temporal SDK's own error about the failed activity is
// among them. The `run` that started it shows the failed step, and none
// of the SDK's lines.
func TestProcessLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	srv := startChild(t, env, "server", `Temporal server on (\S+) `, "server", "--no-worker", "--headless", "--port", "0", "--state-dir", t.TempDir())
	addr := srv.ready[1]
	sv := startChild(t, env, "serve", `serving on `, "serve", "--listen", "127.0.0.1:0", "--address", addr, "--insecure-generated-key", "--state-dir", t.TempDir(), "--log-format", "json")
	dir := workdir(t, map[string]string{"failing.yaml": failingHTTP})
	r := e2eRun(t, dir, env, "run", "failing.yaml", "--address", addr)
	if r.code != 1 || !strings.Contains(r.stdout, "failed at step call") {
		t.Fatalf("run: %s", r)
	}
	if strings.Contains(r.stderr, "Activity error") || strings.Contains(r.stderr, "level=") {
		t.Errorf("run's stderr has the SDK's lines:\n%s", r.stderr)
	}
	activity := regexp.MustCompile(`"msg":"Activity error\."`)
	for deadline := time.Now().Add(20 * time.Second); !activity.MatchString(sv.output()) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	var sdk map[string]any
	for _, line := range strings.Split(strings.TrimSpace(sv.output()), "\n") {
		if strings.HasPrefix(line, "serving on ") { // stdout: the address, for people and tests
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["level"] == nil || rec["msg"] == nil {
			t.Errorf("not a JSON log record with level and msg: %q (%v)", line, err)
			continue
		}
		if rec["msg"] == "Activity error." && sdk == nil {
			sdk = rec
		}
	}
	if sdk == nil {
		t.Fatalf("no SDK line about the failed activity:\n%s", sv.output())
	}
	if sdk["level"] != "ERROR" || sdk["component"] != "temporal-sdk" || sdk["ActivityType"] != "http" || !strings.Contains(sdk["Error"].(string), "connection refused") {
		t.Errorf("SDK record %v", sdk)
	}
}

func TestLoggers(t *testing.T) {
	for _, tc := range []struct {
		level      string
		own, sdks  []slog.Level // enabled
		ownOff, sk []slog.Level // disabled
	}{
		{"info", []slog.Level{slog.LevelInfo, slog.LevelError}, []slog.Level{slog.LevelWarn, slog.LevelError}, []slog.Level{slog.LevelDebug}, []slog.Level{slog.LevelInfo, slog.LevelDebug}},
		{"debug", []slog.Level{slog.LevelDebug}, []slog.Level{slog.LevelDebug, slog.LevelInfo}, nil, nil},
		{"warn", []slog.Level{slog.LevelWarn}, []slog.Level{slog.LevelWarn}, []slog.Level{slog.LevelInfo}, []slog.Level{slog.LevelInfo}},
		{"error", []slog.Level{slog.LevelError}, []slog.Level{slog.LevelError}, []slog.Level{slog.LevelWarn}, []slog.Level{slog.LevelWarn}},
	} {
		own, sdks := logFlags{LogLevel: tc.level, LogFormat: "json"}.loggers(&bytes.Buffer{})
		check := func(name string, l *slog.Logger, levels []slog.Level, want bool) {
			for _, lv := range levels {
				if got := l.Enabled(t.Context(), lv); got != want {
					t.Errorf("--log-level %s: %s logger enabled at %v: %v, want %v", tc.level, name, lv, got, want)
				}
			}
		}
		check("own", own, tc.own, true)
		check("own", own, tc.ownOff, false)
		check("SDK", sdks, tc.sdks, true)
		check("SDK", sdks, tc.sk, false)
	}
}

func TestAWSLogger(t *testing.T) {
	var b bytes.Buffer
	_, sdks := logFlags{LogLevel: "info", LogFormat: "json"}.loggers(&b)
	l := awsLogger(sdks)
	l.Logf(logging.Debug, "retrying %s", "GetObject")
	l.Logf(logging.Warn, "Response has no supported checksum. Not validating response payload.")
	l.(logging.ContextLogger).WithContext(t.Context()).Logf(logging.Warn, "credential %d", 2)
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 2 || recs[0]["level"] != "WARN" || recs[0]["component"] != "aws-sdk" || recs[1]["msg"] != "credential 2" {
		t.Errorf("AWS SDK records %v, want the two warnings", recs)
	}
	if _, ok := awsLogger(nil).(logging.Nop); !ok {
		t.Errorf("awsLogger(nil) is %T, want logging.Nop", awsLogger(nil))
	}
}

func TestQuietLogger(t *testing.T) {
	var b bytes.Buffer
	h := dropMessages{slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelWarn}), quietMessages}
	l := slog.New(h).With("component", "temporal-sdk")
	l.Error("Activity error.", "ActivityType", "http")
	l.Warn("Failed to process workflow task.", "Error", "nondeterminism")
	l.Info("Started Worker")
	if got := b.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "Failed to process workflow task.") {
		t.Errorf("quiet logger wrote\n%s\nwant only the workflow task warning", got)
	}
}
