package serve

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// TestSlackSignatureAsSlackGo: a request SignSlack signs passes
// slack-go's own verifier (Slack's v0 scheme), and VerifySlack refuses
// what slack-go refuses: another secret, another body.
func TestSlackSignatureAsSlackGo(t *testing.T) {
	secret, body, now := []byte("8f742231b10e8888abcd99yyyzzz85a5"), []byte("payload=%7B%22type%22%3A%22block_actions%22%7D"), time.Now()
	ts, sig := SignSlack(secret, now, body)
	h := http.Header{}
	h.Set(SlackTimestampHeader, ts)
	h.Set(SlackSignatureHeader, sig)
	v, err := slack.NewSecretsVerifier(h, string(secret))
	if err == nil {
		_, _ = v.Write(body)
		err = v.Ensure()
	}
	if err != nil || VerifySlack(secret, ts, sig, body, now) != nil {
		t.Fatalf("slack-go: %v; VerifySlack: %v", err, VerifySlack(secret, ts, sig, body, now))
	}
	for _, tc := range []struct {
		name              string
		secret, body      []byte
		ts, sig, contains string
	}{
		{"another secret", []byte("another"), body, ts, sig, "does not match"},
		{"another body", secret, append(body, '1'), ts, sig, "does not match"},
		{"no v0=", secret, body, ts, strings.TrimPrefix(sig, "v0="), "not v0= and 64 hex digits"},
		{"not seconds", secret, body, "12a", sig, "is not unix seconds"},
		{"unsigned", secret, body, "", "", "missing"},
	} {
		if err := VerifySlack(tc.secret, tc.ts, tc.sig, tc.body, now); err == nil || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.contains)
		}
	}
	if err := VerifySlack(secret, ts, sig, body, now.Add(-6*time.Minute)); err == nil || !strings.Contains(err.Error(), "in the future") {
		t.Errorf("6 minutes ahead: %v", err)
	}
	if err := VerifySlack(nil, ts, sig, body, now); err == nil {
		t.Error("no secret: verified")
	}
}
