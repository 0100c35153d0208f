package serve

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// The web page: plain server-rendered HTML for people acting on human
// steps (approvals, manual steps, questions), on a phone as well as a
// desk. It needs no JavaScript. A person signs in
// with their API token once; the server keeps a session (session.go) and
// the browser its random ID in the session cookie (HttpOnly,
// SameSite=Lax so links from chat keep it, Secure with
// Config.SecureCookies), which only the page's routes read. Every form
// POST must also come from the page's own origin
// (http.CrossOriginProtection). Templates are html/template, so
// everything shown is escaped; no page ever shows a token.

//go:embed templates/*.html templates/style.css
var pageFS embed.FS

// pageTemplates holds one template set per page, each the layout and the
// shared parts with that page's "title" and "content".
var pageTemplates = func() map[string]*template.Template {
	funcs := template.FuncMap{"pathEscape": url.PathEscape, "pairs": engine.Pairs, "join": strings.Join}
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "inbox", "executions", "execution", "error"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(pageFS,
			"templates/layout.html", "templates/decide.html", "templates/act.html", "templates/"+name+".html"))
	}
	return out
}()

// pageCSP keeps the page to its own style sheet and forms: no script,
// no frames, no foreign form targets.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// crossOrigin refuses a POST whose Sec-Fetch-Site is not same-origin or,
// from browsers that do not send it, whose Origin (when present) is not
// the request's host.
var crossOrigin = http.NewCrossOriginProtection()

// pageRoutes adds the web page's routes.
func (s *Server) pageRoutes(m *http.ServeMux) {
	toInbox := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/inbox", http.StatusSeeOther)
	}
	m.HandleFunc("GET /{$}", toInbox)
	m.HandleFunc("GET /ui/approvals", toInbox) // the inbox's earlier name
	m.HandleFunc("GET /ui/style.css", serveStyle)
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.sameOrigin(s.login))
	m.HandleFunc("POST /logout", s.sameOrigin(s.logout))
	m.HandleFunc("GET /ui/inbox", s.pageAuthed(s.pageInbox))
	m.HandleFunc("GET /ui/executions", s.pageAuthed(s.pageExecutions))
	m.HandleFunc("GET /ui/executions/{id}", s.pageAuthed(s.pageExecution))
	m.HandleFunc("POST /ui/executions/{id}/approve", s.sameOrigin(s.pageAuthed(s.pageDecide(engine.UpdateApprove))))
	m.HandleFunc("POST /ui/executions/{id}/reject", s.sameOrigin(s.pageAuthed(s.pageDecide(engine.UpdateReject))))
	m.HandleFunc("POST /ui/executions/{id}/done", s.sameOrigin(s.pageAuthed(s.pageDecide(engine.UpdateDone))))
	m.HandleFunc("POST /ui/executions/{id}/answer", s.sameOrigin(s.pageAuthed(s.pageDecide(engine.UpdateAnswer))))
}

// pageData is what every page's template gets: the caller (nil on the
// sign-in page), a notice, and the page's own data.
type pageData struct {
	Caller *Caller
	Notice string
	Data   any
}

// render answers with status and the named page; a template that fails
// is a 500, as nothing is written before it has run.
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := pageTemplates[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.cfg.Logger.Error("page", "template", name, "error", err)
		http.Error(w, "the page failed to render", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away; nothing to do
}

// errorView is the error page's data.
type errorView struct {
	Status  int
	Title   string
	Message string
	Back    string // a link back, "" for none
}

// pageError answers with the error page.
func (s *Server) pageError(w http.ResponseWriter, c *Caller, status int, msg, back string) {
	s.render(w, status, "error", pageData{Caller: c, Data: errorView{Status: status, Title: http.StatusText(status), Message: msg, Back: back}})
}

// pageTemporalError shows a Temporal error as the API's temporalError
// maps it: a refused decision 403 with the workflow's reason, an unknown
// execution 404, others 503.
func (s *Server) pageTemporalError(w http.ResponseWriter, c *Caller, err error, back string) {
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &app):
		s.pageError(w, c, http.StatusForbidden, "Refused: "+app.Message(), back)
	case errors.As(err, &nf):
		s.pageError(w, c, http.StatusNotFound, "No such execution (or it has ended).", back)
	default:
		s.cfg.Logger.Error("page", "error", err)
		s.pageError(w, c, http.StatusServiceUnavailable, "Temporal did not answer: "+err.Error(), back)
	}
}

// pageAuthed runs h for the caller of a valid session; others are sent
// to the sign-in page (303), which brings them back to a page they asked
// for.
func (s *Server) pageAuthed(h func(http.ResponseWriter, *http.Request, Caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.pageCaller(w, r)
		if !ok {
			to := "/login"
			if r.Method == http.MethodGet {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		h(w, r, c)
	}
}

// sameOrigin refuses cross-site requests with a 403 page before h runs,
// so they change nothing.
func (s *Server) sameOrigin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := crossOrigin.Check(r); err != nil {
			s.cfg.Logger.Warn("page: cross-origin request refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
			s.pageError(w, nil, http.StatusForbidden, "Cross-origin request refused: use the page's own forms.", "/ui/inbox")
			return
		}
		h(w, r)
	}
}

// localNext is where to go after signing in: next when it is one of the
// page's own paths, else the inbox.
func localNext(next string) string {
	if strings.HasPrefix(next, "/ui/") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/ui/inbox"
}

// executionPath is the page of execution id; the ID may hold '/'.
func executionPath(id string) string { return "/ui/executions/" + url.PathEscape(id) }

func serveStyle(w http.ResponseWriter, r *http.Request) {
	b, _ := pageFS.ReadFile("templates/style.css") // embedded: always there
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b) //nolint:errcheck // the client went away; nothing to do
}
