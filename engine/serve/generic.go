package serve

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The generic hook's headers: the time of signing in unix seconds, and
// "sha256=HEX", HEX being HMAC-SHA256(key, timestamp + "." + body).
const (
	GenericTimestampHeader = "X-Runbook-Timestamp"
	GenericSignatureHeader = "X-Runbook-Signature"
)

// GenericWindow is how far a generic hook's timestamp may be from the
// server's clock, either way.
const GenericWindow = 5 * time.Minute

// SignGeneric signs body for the generic hook at ts: the values of its
// X-Runbook-Timestamp and X-Runbook-Signature headers.
func SignGeneric(key []byte, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	return timestamp, "sha256=" + hex.EncodeToString(genericMAC(key, timestamp, body))
}

// VerifyGeneric checks a generic hook's signature: timestamp and signature
// are its headers' values, body the raw request body, now the server's
// time. It refuses an empty key, malformed headers, a timestamp outside
// GenericWindow of now, and a signature that is not body's under key.
func VerifyGeneric(key []byte, timestamp, signature string, body []byte, now time.Time) error {
	if len(key) == 0 {
		return errors.New("the generic hook has no key configured")
	}
	secs, err := unixSeconds(GenericTimestampHeader, timestamp)
	if err != nil {
		return err
	}
	hexSig, ok := strings.CutPrefix(signature, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%s is not sha256= and 64 hex digits", GenericSignatureHeader)
	}
	if err := inWindow(GenericTimestampHeader, secs, now, GenericWindow); err != nil {
		return err
	}
	if !hmac.Equal(got, genericMAC(key, timestamp, body)) {
		return fmt.Errorf("%s does not match the body and timestamp", GenericSignatureHeader)
	}
	return nil
}

// unixSeconds reads timestamp, the value of header, as unix seconds.
func unixSeconds(header, timestamp string) (int64, error) {
	if timestamp == "" || strings.TrimLeft(timestamp, "0123456789") != "" || len(timestamp) > 12 {
		return 0, fmt.Errorf("%s %q is not unix seconds", header, timestamp)
	}
	return strconv.ParseInt(timestamp, 10, 64)
}

// inWindow refuses a signing time (secs, the value of header) farther
// than window from now, either way.
func inWindow(header string, secs int64, now time.Time, window time.Duration) error {
	switch d := now.Sub(time.Unix(secs, 0)); {
	case d > window:
		return fmt.Errorf("%s is %s old, outside the %s window", header, d.Truncate(time.Second), window)
	case d < -window:
		return fmt.Errorf("%s is %s in the future, outside the %s window", header, (-d).Truncate(time.Second), window)
	}
	return nil
}

func genericMAC(key []byte, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// ParseGenericAlarm reads the generic hook's body: an Alarm in its JSON
// form ({"name": .., "state": .., "time": RFC 3339, ...}). Name, state
// (ALARM, OK or INSUFFICIENT_DATA) and time are required; arn defaults to
// "generic:" + name. Unknown fields are errors, to catch misspellings.
func ParseGenericAlarm(body []byte) (*Alarm, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var a Alarm
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("generic alarm: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("generic alarm: more than one JSON value")
	}
	switch {
	case a.Name == "":
		return nil, errors.New("generic alarm: no name")
	case a.Time.IsZero():
		return nil, fmt.Errorf("generic alarm %s: no time", a.Name)
	}
	if err := checkAlarmState(&a); err != nil {
		return nil, fmt.Errorf("generic alarm %s: %v", a.Name, err)
	}
	if a.ARN == "" {
		a.ARN = "generic:" + a.Name
	}
	a.Time = a.Time.UTC()
	return &a, nil
}
