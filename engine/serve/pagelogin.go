package serve

import (
	"net/http"
	"strings"
	"time"
)

// cookieAge is how long the page keeps a sign-in: long enough that
// nobody types a token on a phone every day.
const cookieAge = 30 * 24 * time.Hour

// loginView is the sign-in page's data. It never holds the token.
type loginView struct {
	Next  string
	Error string
}

// loginForm shows the sign-in form.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "login", pageData{Data: loginView{Next: localNext(r.URL.Query().Get("next"))}})
}

// login checks the token the form sends and, when the tokens file knows
// it, keeps it in the TokenCookie cookie and goes on to next. A wrong
// token shows the form again (401).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.pageError(w, nil, http.StatusBadRequest, "The form did not parse: "+err.Error(), "/login")
		return
	}
	next := localNext(r.PostFormValue("next"))
	token := strings.TrimSpace(r.PostFormValue("token"))
	c, ok := s.tokens.Load().Lookup(token)
	cookie := tokenCookie(r, token, int(cookieAge/time.Second))
	if ok && cookie.Valid() != nil {
		ok = false // a token a cookie cannot carry: the API still takes it
	}
	if !ok {
		s.cfg.Logger.Info("page: sign-in refused")
		s.render(w, http.StatusUnauthorized, "login", pageData{Data: loginView{Next: next, Error: "Unknown token: it is revoked, mistyped, or not in the tokens file."}})
		return
	}
	http.SetCookie(w, cookie)
	s.cfg.Logger.Info("page: signed in", "identity", c.Identity)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout clears the cookie and goes back to the sign-in form.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, tokenCookie(r, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// tokenCookie is the TokenCookie cookie holding value for maxAge seconds
// (negative: delete it): HttpOnly, SameSite=Strict, Secure over TLS.
func tokenCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: TokenCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	}
}
