package serve

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestSignGeneric checks the signature against one computed apart:
// HMAC-SHA256("k3y", `1795687200.{"name":"x"}`).
func TestSignGeneric(t *testing.T) {
	ts, sig := SignGeneric([]byte("k3y"), time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), []byte(`{"name":"x"}`))
	if want := "1795687200"; ts != want {
		t.Errorf("timestamp %s, want %s", ts, want)
	}
	if want := "sha256=ccf88e4678561ef4c832f0d97ff23068fc46d66994ea4459f295113760e92787"; sig != want {
		t.Errorf("signature %s, want %s", sig, want)
	}
}

func TestVerifyGeneric(t *testing.T) {
	key, body := []byte("k3y"), []byte(hookTestdata(t, "generic-alarm.json"))
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ts, sig := SignGeneric(key, now, body)
	tests := []struct {
		name           string
		key            []byte
		timestamp, sig string
		signedAt       time.Duration // when not 0, sign at now+signedAt
		body           []byte
		err            string
	}{
		{name: "good", timestamp: ts, sig: sig},
		{name: "uppercase hex", timestamp: ts, sig: "sha256=" + strings.ToUpper(strings.TrimPrefix(sig, "sha256="))},
		{name: "wrong key", key: []byte("k3y2"), timestamp: ts, sig: sig,
			err: "X-Runbook-Signature does not match the body and timestamp"},
		{name: "tampered body", timestamp: ts, sig: sig, body: bytes.Replace(body, []byte("ALARM"), []byte("OK"), 1),
			err: "does not match"},
		{name: "body with a newline more", timestamp: ts, sig: sig, body: append(append([]byte{}, body...), '\n'),
			err: "does not match"},
		{name: "other timestamp", timestamp: "1795687201", sig: sig, err: "does not match"},
		{name: "4m59s old", signedAt: -299 * time.Second},
		{name: "4m59s ahead", signedAt: 299 * time.Second},
		{name: "stale", signedAt: -6 * time.Minute,
			err: "X-Runbook-Timestamp is 6m0s old, outside the 5m0s window"},
		{name: "future", signedAt: 6 * time.Minute,
			err: "X-Runbook-Timestamp is 6m0s in the future, outside the 5m0s window"},
		{name: "no timestamp", sig: sig, err: `X-Runbook-Timestamp "" is not unix seconds`},
		{name: "timestamp not a number", timestamp: "2026-11-26T10:00:00Z", sig: sig, err: "is not unix seconds"},
		{name: "negative timestamp", timestamp: "-1795687200", sig: sig, err: "is not unix seconds"},
		{name: "fractional timestamp", timestamp: ts + ".5", sig: sig, err: "is not unix seconds"},
		{name: "timestamp in milliseconds", timestamp: ts + "000", sig: sig, err: "is not unix seconds"},
		{name: "huge timestamp", timestamp: strings.Repeat("9", 30), sig: sig, err: "is not unix seconds"},
		{name: "no signature", timestamp: ts, err: "X-Runbook-Signature is not sha256= and 64 hex digits"},
		{name: "no prefix", timestamp: ts, sig: strings.TrimPrefix(sig, "sha256="), err: "is not sha256= and 64 hex digits"},
		{name: "sha1", timestamp: ts, sig: "sha1=" + strings.TrimPrefix(sig, "sha256="), err: "is not sha256="},
		{name: "short", timestamp: ts, sig: sig[:len(sig)-2], err: "is not sha256= and 64 hex digits"},
		{name: "not hex", timestamp: ts, sig: sig[:len(sig)-1] + "g", err: "is not sha256= and 64 hex digits"},
		{name: "no key", key: []byte{}, timestamp: ts, sig: sig, err: "the generic hook has no key configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, b := tt.key, tt.body
			if k == nil {
				k = key
			}
			if b == nil {
				b = body
			}
			ts, sig := tt.timestamp, tt.sig
			if tt.signedAt != 0 {
				ts, sig = SignGeneric(key, now.Add(tt.signedAt), body)
			}
			hookCheckErr(t, VerifyGeneric(k, ts, sig, b, now), tt.err)
		})
	}
}

func TestParseGenericAlarm(t *testing.T) {
	tests := []struct {
		name string
		body string // testdata file, or the body itself
		want *Alarm
		err  string
	}{
		{name: "full", body: "generic-alarm.json", want: &Alarm{
			Name: "checkout-latency", ARN: "generic:checkout-latency", State: "ALARM", PreviousState: "OK",
			Reason: "p99 latency 2.4 s over 5 minutes (threshold 1 s), from Prometheus",
			Time:   time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Account: "123456789012", Region: "eu-west-1",
			Metric: Metric{Namespace: "prometheus", Name: "http_request_duration_seconds",
				Dimensions: map[string]string{"service": "checkout"}},
		}},
		{name: "least", body: `{"name":"db","state":"OK","time":"2026-11-26T11:00:00+01:00"}`, want: &Alarm{
			Name: "db", ARN: "generic:db", State: "OK", Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}},
		{name: "arn kept", body: `{"name":"db","arn":"urn:pager:db","state":"INSUFFICIENT_DATA","time":"2026-11-26T10:00:00Z"}`,
			want: &Alarm{Name: "db", ARN: "urn:pager:db", State: "INSUFFICIENT_DATA",
				Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}},
		{name: "no name", body: `{"state":"OK","time":"2026-11-26T10:00:00Z"}`, err: "generic alarm: no name"},
		{name: "no state", body: `{"name":"db","time":"2026-11-26T10:00:00Z"}`, err: "generic alarm db: no state"},
		{name: "no time", body: `{"name":"db","state":"OK"}`, err: "generic alarm db: no time"},
		{name: "bad state", body: `{"name":"db","state":"alarm","time":"2026-11-26T10:00:00Z"}`,
			err: `generic alarm db: state "alarm" is not ALARM, OK or INSUFFICIENT_DATA`},
		{name: "bad previous state", body: `{"name":"db","state":"OK","previousState":"WARN","time":"2026-11-26T10:00:00Z"}`,
			err: `previous state "WARN" is not ALARM, OK or INSUFFICIENT_DATA`},
		{name: "bad time", body: `{"name":"db","state":"OK","time":"yesterday"}`, err: "generic alarm: parsing time"},
		{name: "unknown field", body: `{"name":"db","state":"OK","time":"2026-11-26T10:00:00Z","severity":"high"}`,
			err: `generic alarm: json: unknown field "severity"`},
		{name: "two values", body: `{"name":"db","state":"OK","time":"2026-11-26T10:00:00Z"} {}`,
			err: "generic alarm: more than one JSON value"},
		{name: "not JSON", body: "db is down", err: "generic alarm: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if strings.HasSuffix(body, ".json") {
				body = hookTestdata(t, body)
			}
			got, err := ParseGenericAlarm([]byte(body))
			hookCheckErr(t, err, tt.err)
			hookCheckAlarm(t, got, tt.want)
		})
	}
}

// hookDecodeStrict decodes JSON into v, refusing unknown fields.
func hookDecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
