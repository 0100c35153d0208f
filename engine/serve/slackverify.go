package serve

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Slack's request signature headers: the time of signing in unix seconds,
// and "v0=HEX", HEX being HMAC-SHA256(signing secret, "v0:" + timestamp +
// ":" + body).
const (
	SlackTimestampHeader = "X-Slack-Request-Timestamp"
	SlackSignatureHeader = "X-Slack-Signature"
)

// SlackWindow is how far a Slack request's timestamp may be from the
// server's clock, either way: what Slack recommends.
const SlackWindow = 5 * time.Minute

// SignSlack signs body as Slack does with the app's signing secret at ts:
// the values of its X-Slack-Request-Timestamp and X-Slack-Signature
// headers.
func SignSlack(secret []byte, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	return timestamp, "v0=" + hex.EncodeToString(slackMAC(secret, timestamp, body))
}

// VerifySlack checks a Slack request's signature (version v0): timestamp
// and signature are its headers' values, body the raw request body, now
// the server's time. It refuses an empty secret, malformed headers, a
// timestamp outside SlackWindow of now, and a signature that is not
// body's under the secret (compared in constant time).
func VerifySlack(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return errors.New("the Slack hook has no signing secret configured")
	}
	if timestamp == "" || signature == "" {
		return fmt.Errorf("missing %s and %s headers", SlackTimestampHeader, SlackSignatureHeader)
	}
	secs, err := unixSeconds(SlackTimestampHeader, timestamp)
	if err != nil {
		return err
	}
	hexSig, ok := strings.CutPrefix(signature, "v0=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%s is not v0= and 64 hex digits", SlackSignatureHeader)
	}
	if err := inWindow(SlackTimestampHeader, secs, now, SlackWindow); err != nil {
		return err
	}
	if !hmac.Equal(got, slackMAC(secret, timestamp, body)) {
		return fmt.Errorf("%s does not match the body and timestamp", SlackSignatureHeader)
	}
	return nil
}

func slackMAC(secret []byte, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}
