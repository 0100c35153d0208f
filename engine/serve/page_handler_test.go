package serve_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/serve"
)

// pageTokens knows alice and bob by the tokens "alice-page-token" and
// "bob-page-token".
func pageTokens(t *testing.T) *serve.Tokens {
	t.Helper()
	src := "- {sha256: " + serve.HashToken("alice-page-token") + ", identity: alice, groups: [sre]}\n" +
		"- {sha256: " + serve.HashToken("bob-page-token") + ", identity: bob}\n"
	tokens, err := serve.ParseTokens([]byte(src), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// pageServe runs r through a server whose Temporal client is nil: only
// requests that never reach Temporal may be sent, and one that does
// panics and fails the test.
func pageServe(t *testing.T, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	return pageServeWith(t, serve.Config{}, r)
}

// pageServeWith is pageServe by a server configured by cfg.
func pageServeWith(t *testing.T, cfg serve.Config, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	s := serve.New(cfg, &serve.Catalog{}, pageTokens(t))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// loginRequest is the sign-in form posted with token and next.
func loginRequest(token, next string) *http.Request {
	form := url.Values{"token": {token}, "next": {next}}
	r := httptest.NewRequest(http.MethodPost, "http://runbook.test/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://runbook.test")
	return r
}

// sessionCookieOf is the cookie named name that w sets, nil when none.
func sessionCookieOf(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestLoginSetsCookie: signing in sets a session cookie holding a random
// ID, HttpOnly, SameSite=Lax, for the whole site and at most 12 hours;
// with SecureCookies it is Secure and __Host- prefixed, whether or not
// this hop is TLS (a proxy may terminate it).
func TestLoginSetsCookie(t *testing.T) {
	for _, tc := range []struct {
		name, next, wantLocation string
		tls, secure              bool
	}{
		{name: "plain", next: "", wantLocation: "/ui/inbox"},
		{name: "tls", next: "", wantLocation: "/ui/inbox", tls: true},
		{name: "secure", next: "", wantLocation: "/ui/inbox", secure: true},
		{name: "secure and tls", next: "", wantLocation: "/ui/inbox", tls: true, secure: true},
		{name: "next", next: "/ui/executions/a%2Fb", wantLocation: "/ui/executions/a%2Fb"},
		{name: "foreign next", next: "//evil.example/ui/", wantLocation: "/ui/inbox"},
		{name: "absolute next", next: "https://evil.example/ui/", wantLocation: "/ui/inbox"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loginRequest("alice-page-token", tc.next)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := pageServeWith(t, serve.Config{SecureCookies: tc.secure}, r)
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != tc.wantLocation {
				t.Fatalf("got %d to %q, want 303 to %q; body %s", w.Code, w.Header().Get("Location"), tc.wantLocation, w.Body)
			}
			name := serve.SessionCookie
			if tc.secure {
				name = serve.HostSessionCookie
			}
			c := sessionCookieOf(w, name)
			if c == nil || len(w.Result().Cookies()) != 1 {
				t.Fatalf("want the one cookie %s in %q", name, w.Header().Values("Set-Cookie"))
			}
			if len(c.Value) != 43 || strings.Contains(c.Value, "alice") || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" ||
				c.Secure != tc.secure || c.MaxAge <= 0 || c.MaxAge > 12*3600 || c.Domain != "" {
				t.Errorf("cookie %q: want a 43-character ID, HttpOnly, SameSite=Lax, Path=/, no Domain, Secure=%v, Max-Age in (0, 12h]", w.Header().Get("Set-Cookie"), tc.secure)
			}
		})
	}
}

func TestLoginWrongToken(t *testing.T) {
	w := pageServe(t, loginRequest("not-a-known-token", "/ui/executions"))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", w.Code)
	}
	if cs := w.Result().Cookies(); len(cs) != 0 {
		t.Errorf("a wrong token set a cookie: %q", w.Header().Get("Set-Cookie"))
	}
	body := w.Body.String()
	for _, want := range []string{`name="token"`, "Unknown token", `value="/ui/executions"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form again should hold %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "not-a-known-token") {
		t.Errorf("the page shows the token it was sent:\n%s", body)
	}
}

// TestLogoutClearsCookie: signing out clears the session cookie, and the
// token cookie earlier servers set, which held the token itself.
func TestLogoutClearsCookie(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://runbook.test/logout", nil)
	r.AddCookie(&http.Cookie{Name: serve.SessionCookie, Value: "some-session"})
	r.AddCookie(&http.Cookie{Name: "runbook_token", Value: "alice-page-token"})
	w := pageServe(t, r)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Fatalf("got %d to %q, want 303 to /login", w.Code, w.Header().Get("Location"))
	}
	for _, name := range []string{serve.SessionCookie, "runbook_token"} {
		c := sessionCookieOf(w, name)
		if c == nil || c.Value != "" || c.MaxAge >= 0 || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("Set-Cookie %q: want %s emptied and expired (Max-Age=0), HttpOnly, SameSite=Lax, Path=/", w.Header().Values("Set-Cookie"), name)
		}
	}
}

func TestPageRedirectsToLogin(t *testing.T) {
	for _, tc := range []struct {
		method, target, cookie, want string
	}{
		{"GET", "/", "", "/ui/inbox"},             // the root goes to the inbox, which then asks for a sign-in
		{"GET", "/ui/approvals", "", "/ui/inbox"}, // the inbox's earlier name
		{"GET", "/ui/inbox", "", "/login?next=%2Fui%2Finbox"},
		{"GET", "/ui/executions?status=running", "", "/login?next=%2Fui%2Fexecutions%3Fstatus%3Drunning"},
		{"GET", "/ui/executions/a%2Fb", "", "/login?next=%2Fui%2Fexecutions%2Fa%252Fb"},
		{"GET", "/ui/inbox", "unknown-session", "/login?next=%2Fui%2Finbox"},
		{"POST", "/ui/executions/a%2Fb/approve", "", "/login"},
	} {
		r := httptest.NewRequest(tc.method, "http://runbook.test"+tc.target, nil)
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: serve.SessionCookie, Value: tc.cookie})
		}
		w := pageServe(t, r)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != tc.want {
			t.Errorf("%s %s: got %d to %q, want 303 to %q", tc.method, tc.target, w.Code, w.Header().Get("Location"), tc.want)
		}
	}
	// The API keeps answering 401.
	w := pageServe(t, httptest.NewRequest(http.MethodGet, "http://runbook.test/v1/approvals", nil))
	if w.Code != http.StatusUnauthorized || w.Header().Get("Location") != "" {
		t.Errorf("GET /v1/approvals without a token: %d to %q, want 401", w.Code, w.Header().Get("Location"))
	}
}

func TestPageLoginForm(t *testing.T) {
	w := pageServe(t, httptest.NewRequest(http.MethodGet, "http://runbook.test/login?next=%2Fui%2Fexecutions", nil))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `<form method="post" action="/login"`) || !strings.Contains(body, `value="/ui/executions"`) {
		t.Fatalf("GET /login: %d\n%s", w.Code, body)
	}
	if !strings.Contains(body, `name="viewport"`) {
		t.Errorf("no viewport meta: a phone would show the desktop width")
	}
	for h, want := range map[string]string{"Content-Type": "text/html; charset=utf-8", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q: want forms to the page only and no script", csp)
	}
}

// A POST from another site is refused before anything runs: the server
// has no Temporal client, so one that got through would panic.
func TestPageCrossOriginPostRefused(t *testing.T) {
	for _, tc := range []struct {
		name, target string
		header       map[string]string
	}{
		{"foreign Origin", "/ui/executions/a%2Fb/approve", map[string]string{"Origin": "https://evil.example"}},
		{"cross-site fetch", "/ui/executions/a%2Fb/reject", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"same-site fetch", "/ui/executions/a%2Fb/approve", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"other port", "/ui/executions/x/approve", map[string]string{"Origin": "http://runbook.test:8443"}},
		{"login", "/login", map[string]string{"Origin": "https://evil.example"}},
		{"logout", "/logout", map[string]string{"Origin": "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"step": {"gate"}, "comment": {"forged"}, "token": {"alice-page-token"}}
			r := httptest.NewRequest(http.MethodPost, "http://runbook.test"+tc.target, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: serve.SessionCookie, Value: "some-session"})
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := pageServe(t, r)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Cross-origin request refused") {
				t.Errorf("got %d, want 403 refusing the cross-origin request:\n%s", w.Code, w.Body)
			}
			if cs := w.Result().Cookies(); len(cs) != 0 {
				t.Errorf("a refused request set a cookie: %q", w.Header().Values("Set-Cookie"))
			}
		})
	}
}
