package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// effect is one mutating Secrets Manager request the ledger saw: which
// secret, the value it sets (the suite's runbook sets a distinct value in
// each mutating step), the idempotency token, kumo's answer, and which
// proxy (hence which process) sent it.
type effect struct {
	op, secret, value, token, via string
	code                          int
}

// ledger records, through reverse proxies in front of kumo, every
// PutSecretValue and UpdateSecret, and which secrets a DescribeSecret
// found ready ("go") or a step after the approval has touched.
type ledger struct {
	kumo *url.URL

	mu      sync.Mutex
	effects []effect
	ready   map[string]bool
	passed  map[string]bool
	first   map[effect]bool // applied (op, secret, value, token) seen
	applied int             // first applications so far
	// onApplied runs when kumo has applied a request whose token is new,
	// before the caller hears the answer; when it returns true the
	// connection is dropped unanswered (the caller was killed).
	onApplied func(e effect, n int) bool
}

// newLedger records the requests to kumoURL.
func newLedger(t *testing.T, kumoURL string) *ledger {
	t.Helper()
	u, err := url.Parse(kumoURL)
	if err != nil || u.Host == "" {
		t.Fatalf("kumo URL %q: %v", kumoURL, err)
	}
	return &ledger{kumo: u, ready: map[string]bool{}, passed: map[string]bool{}, first: map[effect]bool{}}
}

// proxy serves a reverse proxy to kumo, its requests marked via, until
// the test ends, and returns its URL.
func (l *ledger) proxy(t *testing.T, via string) string {
	t.Helper()
	next := httputil.NewSingleHostReverseProxy(l.kumo)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.serve(w, r, next, via)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// hook sets onApplied.
func (l *ledger) hook(f func(e effect, n int) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onApplied = f
}

func (l *ledger) serve(w http.ResponseWriter, r *http.Request, next http.Handler, via string) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := map[string]string{
		"secretsmanager.PutSecretValue": "PutSecretValue",
		"secretsmanager.UpdateSecret":   "UpdateSecret",
		"secretsmanager.DescribeSecret": "DescribeSecret",
	}[target]
	if !ok {
		next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ SecretId, ClientRequestToken, SecretString string }
	_ = json.Unmarshal(body, &in)
	if op != "DescribeSecret" {
		l.mu.Lock()
		l.passed[in.SecretId] = l.passed[in.SecretId] || in.SecretString != "put"
		l.mu.Unlock()
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	if op == "DescribeSecret" {
		if rec.Code == http.StatusOK && bytes.Contains(rec.Body.Bytes(), []byte(`"Description":"go"`)) {
			l.mu.Lock()
			l.ready[in.SecretId] = true
			l.mu.Unlock()
		}
	} else if l.record(effect{op, in.SecretId, in.SecretString, in.ClientRequestToken, via, rec.Code}) {
		panic(http.ErrAbortHandler) // drop the connection, unanswered
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// record adds e and runs onApplied when e is a first application.
func (l *ledger) record(e effect) bool {
	l.mu.Lock()
	l.effects = append(l.effects, e)
	key := effect{op: e.op, secret: e.secret, value: e.value, token: e.token}
	if e.code != http.StatusOK || l.first[key] {
		l.mu.Unlock()
		return false
	}
	l.first[key] = true
	l.applied++
	n, f := l.applied, l.onApplied
	l.mu.Unlock()
	return f != nil && f(e, n)
}

// isReady reports whether a DescribeSecret found secret ready.
func (l *ledger) isReady(secret string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ready[secret]
}

// isPassed reports whether a step after the approval called on secret.
func (l *ledger) isPassed(secret string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.passed[secret]
}

// seen returns the requests so far.
func (l *ledger) seen() []effect {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]effect(nil), l.effects...)
}
