package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// TestNoInternalErrorsEchoed: an unauthenticated caller learns nothing of
// the server's insides from its answers: /readyz with Temporal down, an
// alarm whose start fails, an SNS delivery whose certificate fetch fails
// say what failed, not the error text (addresses, resolvers), which goes
// to the log instead.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNoInternalErrorsEchoed(t *testing.T) {
	cl, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var logs bytes.Buffer
	f := newSNSFixture(t)
	f.v.Hosts = nil // the default hosts: sns.REGION.amazonaws.com, unreachable from here
	cat := e2eCatalog(t, []string{e2eCatchAll})
	s := New(Config{Client: cl, Logger: slog.New(slog.NewTextHandler(&logs, nil)), SNS: f.v, HMACKey: []byte(strings.Repeat("k", 32))}, cat, nil)

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "127.0.0.1:1") || strings.Contains(w.Body.String(), "connection refused") {
		t.Errorf("/readyz: %d %s", w.Code, w.Body)
	}
	m := f.notification(t, "/cert.pem")
	m.SigningCertURL = "https://sns.eu-west-1.amazonaws.com:1/cert.pem" // allowed, unreachable
	f.sign(m, "2")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/v1/hooks/sns", strings.NewReader(jsonOf(t, m))))
	if w.Code != http.StatusBadGateway || strings.Contains(w.Body.String(), ":1") || strings.Contains(w.Body.String(), "dial") {
		t.Errorf("SNS fetch failure: %d %s", w.Code, w.Body)
	}
	alarm := []byte(`{"name": "leak", "state": "ALARM", "time": "2026-11-26T10:00:00Z"}`)
	ts, sig := SignGeneric([]byte(strings.Repeat("k", 32)), time.Now(), alarm)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	r := httptest.NewRequest("POST", "/v1/hooks/generic", bytes.NewReader(alarm)).WithContext(ctx)
	r.Header.Set(GenericTimestampHeader, ts)
	r.Header.Set(GenericSignatureHeader, sig)
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "127.0.0.1") || !strings.Contains(w.Body.String(), "catch-all") {
		t.Errorf("a start that fails: %d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "127.0.0.1:1") || !strings.Contains(logs.String(), "sns.eu-west-1.amazonaws.com:1") {
		t.Errorf("the log lacks the errors:\n%s", logs.String())
	}
}
