package serve_test

// Attack tests of the web page's sign-in: what a stolen, replayed, stale
// or revoked session cookie gets its holder. They run the server behind
// httptest with no Temporal client: a request that reached Temporal
// would panic, so none of them may.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

// sessionSite is a page server over real HTTP, with the clock its test
// moves.
type sessionSite struct {
	t   *testing.T
	srv *serve.Server
	url string

	mu  sync.Mutex
	now time.Time
}

// newSessionSite serves the page for pageTokens' alice and bob.
func newSessionSite(t *testing.T) *sessionSite {
	t.Helper()
	s := &sessionSite{t: t, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s.srv = serve.New(serve.Config{Now: s.clock}, &serve.Catalog{}, pageTokens(t))
	hs := httptest.NewServer(s.srv)
	t.Cleanup(hs.Close)
	s.url = hs.URL
	return s
}

func (s *sessionSite) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// advance moves the server's clock d on.
func (s *sessionSite) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// send sends method to path with the cookies (and nothing else that
// authenticates), body (form-encoded unless it starts with '{') and the
// header's name-value pairs, and returns the answer and its body;
// redirects are not followed.
func (s *sessionSite) send(method, path string, cookies []*http.Cookie, body string, header ...string) (*http.Response, string) {
	s.t.Helper()
	return sendTo(s.t, s.url, method, path, cookies, body, header...)
}

// sendTo is sessionSite.send to the server at base.
func sendTo(t *testing.T, base, method, path string, cookies []*http.Cookie, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// signIn posts token to the sign-in form of the server at base, as its
// own page would, and returns the cookies the answer sets.
func signIn(t *testing.T, base, token string) []*http.Cookie {
	t.Helper()
	resp, body := sendTo(t, base, http.MethodPost, "/login", nil, url.Values{"token": {token}}.Encode(), "Origin", base)
	var set []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Value != "" && c.MaxAge >= 0 {
			set = append(set, c)
		}
	}
	if resp.StatusCode != http.StatusSeeOther || len(set) == 0 {
		t.Fatalf("sign in: %d, cookies %q\n%s", resp.StatusCode, resp.Header.Values("Set-Cookie"), body)
	}
	return set
}

// signedIn reports whether the page takes cookies as signed in. It posts
// a decision form naming no approval request: past the sign-in check it
// is refused 400 before anything reaches Temporal; before it, the answer
// is 303 to the sign-in form.
func (s *sessionSite) signedIn(cookies []*http.Cookie) bool {
	s.t.Helper()
	resp, body := s.send(http.MethodPost, "/ui/executions/x/approve", cookies, "step=gate", "Origin", s.url)
	switch {
	case resp.StatusCode == http.StatusBadRequest && strings.Contains(body, "names no request"):
		return true
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return false
	}
	s.t.Fatalf("the page answered %d (to %q):\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	return false
}

// TestSessionCookieIsNotToken: the cookie sign-in sets holds no token, and
// neither the JSON API nor the hooks take it. A cookie stolen from a
// browser (or a page the cookie leaks to) is no API key: a request
// carrying only it, or its value as a bearer token, is answered 401.
func TestSessionCookieIsNotToken(t *testing.T) {
	s := newSessionSite(t)
	cookies := signIn(t, s.url, "alice-page-token")
	for _, c := range cookies {
		if strings.Contains(c.Value, "alice-page-token") {
			t.Errorf("cookie %s holds the token", c.Name)
		}
	}
	if !s.signedIn(cookies) {
		t.Fatal("the page does not take the cookie it set")
	}
	for _, tc := range []struct{ path, body string }{
		{"/v1/executions", `{"definition": "no-such-definition"}`},
		{"/v1/hooks/eventbridge", `{}`},
	} {
		if resp, body := s.send(http.MethodPost, tc.path, cookies, tc.body); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s with only the page's cookie: %d, want 401\n%s", tc.path, resp.StatusCode, body)
		}
	}
	for _, c := range cookies {
		req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/executions", strings.NewReader(`{"definition": "no-such-definition"}`))
		req.Header.Set("Authorization", "Bearer "+c.Value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the cookie's value as a bearer token: %d, want 401", resp.StatusCode)
		}
	}
}

// TestSignOutEndsSession: signing out ends the session on the server, not
// only in the browser: the same cookie value sent again (copied before, or
// by a browser that kept it) is refused.
func TestSignOutEndsSession(t *testing.T) {
	s := newSessionSite(t)
	cookies := signIn(t, s.url, "alice-page-token")
	if !s.signedIn(cookies) {
		t.Fatal("not signed in")
	}
	if resp, body := s.send(http.MethodPost, "/logout", cookies, "", "Origin", s.url); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d\n%s", resp.StatusCode, body)
	}
	if s.signedIn(cookies) {
		t.Error("the cookie of a signed-out session still signs in")
	}
}

// TestReloadEndsSessions: a session made from a token that a reload of
// the tokens file removes ends at once; others go on.
func TestReloadEndsSessions(t *testing.T) {
	s := newSessionSite(t)
	alice, bob := signIn(t, s.url, "alice-page-token"), signIn(t, s.url, "bob-page-token")
	tokens, err := serve.ParseTokens([]byte("- {sha256: "+serve.HashToken("bob-page-token")+", identity: bob}\n"), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Reload(&serve.Catalog{}, tokens)
	if s.signedIn(alice) {
		t.Error("alice's session outlived her token")
	}
	if !s.signedIn(bob) {
		t.Error("bob's session ended though his token is still in the file")
	}
}

// TestSessionExpires: a session unused for an hour ends, and one in use
// ends twelve hours after sign-in; each is refused after, though its
// cookie is sent again.
func TestSessionExpires(t *testing.T) {
	s := newSessionSite(t)
	idle := signIn(t, s.url, "alice-page-token")
	busy := signIn(t, s.url, "bob-page-token")
	for range 2 { // each use restarts the idle hour
		s.advance(50 * time.Minute)
		if !s.signedIn(idle) || !s.signedIn(busy) {
			t.Fatal("a session in use ended")
		}
	}
	s.advance(40 * time.Minute)
	if !s.signedIn(busy) {
		t.Fatal("a session used 40 minutes ago ended")
	}
	s.advance(21 * time.Minute)
	if !s.signedIn(busy) {
		t.Fatal("a session used 21 minutes ago ended")
	}
	if s.signedIn(idle) {
		t.Error("a session unused for 61 minutes still signs in")
	}
	end := time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC) // 12 hours after sign-in
	for s.clock().Add(30 * time.Minute).Before(end) {
		if s.advance(30 * time.Minute); !s.signedIn(busy) {
			t.Fatalf("a session in use ended at %s, before its 12 hours", s.clock().Format(time.TimeOnly))
		}
	}
	s.advance(end.Sub(s.clock()) + time.Minute) // used within the hour, but 12h01m after sign-in
	if s.signedIn(busy) {
		t.Error("a session still signs in 12 hours after sign-in")
	}
}
