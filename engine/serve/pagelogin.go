package serve

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"time"
)

// The page's cookies. Only the page's routes read them: the JSON API and
// the hooks take a bearer token alone.
const (
	// SessionCookie holds the web page's session ID (never a token) when
	// Config.SecureCookies is off.
	SessionCookie = "runbook_session"
	// HostSessionCookie is SessionCookie's name with Config.SecureCookies:
	// browsers take a __Host- cookie only Secure, with Path=/ and no
	// Domain, so neither plain HTTP nor a sibling subdomain can plant one.
	HostSessionCookie = "__Host-" + SessionCookie
	// legacyTokenCookie is where earlier servers kept the token itself;
	// the page deletes it from a browser that still sends it.
	legacyTokenCookie = "runbook_token"
)

// loginView is the sign-in page's data. It never holds the token.
type loginView struct {
	Next  string
	Error string
}

// loginForm shows the sign-in form.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	dropLegacyCookie(w, r)
	s.render(w, http.StatusOK, "login", pageData{Data: loginView{Next: localNext(r.URL.Query().Get("next"))}})
}

// login checks the token the form sends and, when the tokens file knows
// it, starts a session, sets its ID in the session cookie and goes on to
// next; a session the browser had ends. A wrong token shows the form
// again (401).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.pageError(w, nil, http.StatusBadRequest, "The form did not parse: "+err.Error(), "/login")
		return
	}
	next := localNext(r.PostFormValue("next"))
	token := strings.TrimSpace(r.PostFormValue("token"))
	c, ok := s.tokens.Load().Lookup(token)
	if !ok {
		s.cfg.Metrics.IncPageSessions("refused")
		s.cfg.Logger.Info("page: sign-in refused")
		s.render(w, http.StatusUnauthorized, "login", pageData{Data: loginView{Next: next, Error: "Unknown token: it is revoked, mistyped, or not in the tokens file."}})
		return
	}
	s.signOut(r)
	id, evicted, err := s.sessions.create(c.Identity, sha256.Sum256([]byte(token)))
	if err != nil {
		s.cfg.Logger.Error("page: sign-in failed", "error", err)
		s.pageError(w, nil, http.StatusInternalServerError, "Signing in failed; the server's log says why.", "/login")
		return
	}
	if evicted > 0 {
		s.cfg.Metrics.IncPageSessions("evicted")
		s.cfg.Logger.Warn("page: least recently used sessions ended: too many sessions", "ended", evicted, "max", sessionCap)
	}
	http.SetCookie(w, s.sessionCookie(id, int(sessionLifetime/time.Second)))
	dropLegacyCookie(w, r)
	s.cfg.Metrics.IncPageSessions("signed_in")
	s.cfg.Logger.Info("page: signed in", "identity", c.Identity, "session", sessionHandle(id))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session on the server, clears the cookie and goes back
// to the sign-in form.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.signOut(r)
	http.SetCookie(w, s.sessionCookie("", -1))
	dropLegacyCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// signOut ends the session r's cookie names, if any.
func (s *Server) signOut(r *http.Request) {
	id := s.sessionID(r)
	if id == "" {
		return
	}
	if identity, ok := s.sessions.end(id); ok {
		s.cfg.Metrics.IncPageSessions("signed_out")
		s.cfg.Logger.Info("page: signed out", "identity", identity, "session", sessionHandle(id))
	}
}

// pageCaller is the caller whose session r's cookie names. A cookie that
// names none valid is cleared, and why is logged.
func (s *Server) pageCaller(w http.ResponseWriter, r *http.Request) (Caller, bool) {
	dropLegacyCookie(w, r)
	id := s.sessionID(r)
	if id == "" {
		return Caller{}, false
	}
	c, state, identity := s.sessions.use(id, s.tokens.Load())
	log := s.cfg.Logger.With("identity", identity, "session", sessionHandle(id))
	switch state {
	case sessionValid:
		return c, true
	case sessionExpired:
		s.cfg.Metrics.IncPageSessions("expired")
		log.Info("page: session expired")
	case sessionRevoked:
		s.cfg.Metrics.IncPageSessions("revoked")
		log.Info("page: session ended: its token is no longer in the tokens file")
	default:
		log.Info("page: unknown session refused (signed out, expired, or from before a restart)")
	}
	http.SetCookie(w, s.sessionCookie("", -1))
	return Caller{}, false
}

// sessionID is the session ID r's cookie holds, "" when none.
func (s *Server) sessionID(r *http.Request) string {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

// sessionCookie is the session cookie holding value for maxAge seconds
// (negative: delete it): HttpOnly, SameSite=Lax, Path=/, and Secure
// (named HostSessionCookie) with Config.SecureCookies. Lax, not Strict,
// so a link to an execution's page from chat or mail (a top-level GET
// from another site) keeps the session; the browser still withholds it
// from other sites' POSTs, and sameOrigin refuses those anyway.
func (s *Server) sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: s.sessionCookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
	}
}

// sessionCookieName is SessionCookie, or HostSessionCookie with
// Config.SecureCookies.
func (s *Server) sessionCookieName() string {
	if s.cfg.SecureCookies {
		return HostSessionCookie
	}
	return SessionCookie
}

// dropLegacyCookie deletes the token cookie of earlier servers from a
// browser that sends it: it holds a token, which the page no longer reads.
func dropLegacyCookie(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(legacyTokenCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: legacyTokenCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
}
