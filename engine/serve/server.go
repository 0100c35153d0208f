package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// maxBody bounds every request body.
const maxBody = 1 << 20

// Config configures a Server.
type Config struct {
	Client  client.Client
	Metrics *Metrics     // nil: a fresh one
	SNS     *SNSVerifier // nil: the SNS hook refuses every delivery
	HMACKey []byte       // empty: the generic hook refuses every delivery
	Slack   *SlackConfig // nil: the Slack hook refuses every delivery
	Logger  *slog.Logger // nil: discard
	Now     func() time.Time
	// HookGroup is the tokens file's group whose tokens may deliver hooks
	// ("": DefaultHookGroup); signed deliveries (SNS, HMAC) belong to it.
	HookGroup string
	// AdminGroup is the group whose members may cancel any execution
	// ("": none).
	AdminGroup string
	// Kinds are the step kinds, which retry and history need (nil: they
	// refuse); Codec opens sealed payloads: execution inputs, histories.
	Kinds engine.Kinds
	Codec *engine.Codec
	// SecureCookies marks the page's session cookie Secure, so browsers
	// send it only over HTTPS, and names it with the __Host- prefix, so
	// they take it only Secure, for the whole host and from it alone.
	// Set it unless the page is served over plain HTTP on loopback.
	SecureCookies bool
	// CodecOrigins are the Web UI origins (scheme://host:port) whose page
	// sessions may use the codec endpoints, answered with CORS.
	CodecOrigins []string
}

// DefaultHookGroup is the group whose tokens may deliver hooks unless
// Config.HookGroup names another.
const DefaultHookGroup = "hooks"

// Server is `runbook serve`'s HTTP handler. Its catalog and tokens are
// swapped whole by Reload (SIGHUP) without dropping requests in flight.
type Server struct {
	cfg      Config
	catalog  atomic.Pointer[Catalog]
	tokens   atomic.Pointer[Tokens]
	sessions *sessions // the web page's
	cool     cooldowns
	mux      *http.ServeMux
	slack    *slack.Client // Slack's Web API, with Config.Slack's token; nil: no Slack
}

// New returns a server running catalog c for the callers in t.
func New(cfg Config, c *Catalog, t *Tokens) *Server {
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HookGroup == "" {
		cfg.HookGroup = DefaultHookGroup
	}
	cfg.HookGroup = engine.NormalIdentity(cfg.HookGroup)
	s := &Server{cfg: cfg, mux: http.NewServeMux(), sessions: newSessions(cfg.Now, sessionCap)}
	if cfg.Slack != nil {
		s.slack = slackClient(cfg.Slack)
	}
	if cfg.Client != nil {
		// A second server on the same Metrics would count them twice.
		_ = cfg.Metrics.Register(newApprovalsCollector(func(ctx context.Context) ([]*interp.WaitingStep, error) {
			all, err := interp.Waiting(ctx, cfg.Client)
			return slices.DeleteFunc(all, func(ws *interp.WaitingStep) bool { return ws.Approval.Kind != "" }), err
		}, time.Now))
	}
	s.Reload(c, t)
	s.routes()
	return s
}

// Reload replaces the catalog and the tokens, and ends the page's
// sessions whose token t lacks.
func (s *Server) Reload(c *Catalog, t *Tokens) {
	if c == nil {
		c = &Catalog{}
	}
	if t == nil {
		t = &Tokens{}
	}
	s.catalog.Store(c)
	s.tokens.Store(t)
	for _, identity := range s.sessions.retain(t) {
		s.cfg.Metrics.IncPageSessions("revoked")
		s.cfg.Logger.Info("page: session ended: its token is no longer in the tokens file", "identity", identity)
	}
}

// Metrics is the server's metrics registry.
func (s *Server) Metrics() *Metrics { return s.cfg.Metrics }

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("POST /v1/hooks/sns", s.hookSNS)
	m.HandleFunc("POST /v1/hooks/eventbridge", s.hookEventBridge)
	m.HandleFunc("POST /v1/hooks/generic", s.hookGeneric)
	m.HandleFunc("POST /v1/hooks/slack", s.hookSlack)
	m.HandleFunc("POST /v1/executions", s.authed(s.start))
	m.HandleFunc("GET /v1/executions", s.authed(s.list))
	m.HandleFunc("GET /v1/executions/{id}", s.authed(s.show))
	m.HandleFunc("POST /v1/executions/{id}/approve", s.authed(s.decide(engine.UpdateApprove)))
	m.HandleFunc("POST /v1/executions/{id}/reject", s.authed(s.decide(engine.UpdateReject)))
	m.HandleFunc("POST /v1/executions/{id}/done", s.authed(s.decide(engine.UpdateDone)))
	m.HandleFunc("POST /v1/executions/{id}/answer", s.authed(s.decide(engine.UpdateAnswer)))
	m.HandleFunc("POST /v1/executions/{id}/cancel", s.authed(s.cancel))
	m.HandleFunc("POST /v1/executions/{id}/retry", s.authed(s.retry))
	m.HandleFunc("GET /v1/executions/{id}/history", s.authed(s.history))
	m.HandleFunc("GET /v1/approvals", s.authed(s.approvals(false)))
	m.HandleFunc("GET /v1/inbox", s.authed(s.approvals(true)))
	m.Handle("GET /metrics", s.cfg.Metrics.Handler())
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", s.ready)
	s.pageRoutes(m)
	s.codecRoutes(m)
}

// ServeHTTP serves the API, the hooks and the page, bodies bounded.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	s.mux.ServeHTTP(w, r)
}

// authed runs h for an authenticated caller; others get 401.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, Caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.tokens.Load().Authenticate(r)
		if err != nil {
			unauthorized(w, err.Error())
			return
		}
		h(w, r, c)
	}
}

// unauthorized answers 401 with detail, asking for a bearer token.
func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="runbook"`)
	WriteProblem(w, http.StatusUnauthorized, detail)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.cfg.Client.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		// Anyone may ask: the reason, with addresses, goes to the log.
		s.cfg.Logger.Warn("not ready: Temporal is not reachable", "error", err)
		WriteProblem(w, http.StatusServiceUnavailable, "Temporal is not reachable")
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// Started is one execution an alarm delivery led to.
type Started struct {
	Definition string `json:"definition"`
	ID         string `json:"id,omitempty"`
	Status     string `json:"status"` // started, duplicate, cooldown, refused
	// Reason says why a start was refused.
	Reason string `json:"reason,omitempty"`
}

// alarm routes a verified alarm and starts its targets, each under the
// episode's workflow ID with a policy that refuses duplicates, so a
// repeated delivery answers with the execution already started (even
// finished) and starts nothing. It answers 202 with the executions. The
// executions' requester is c, who delivered it: a definition that lists
// starters starts only when c is among them.
func (s *Server) alarm(w http.ResponseWriter, r *http.Request, hook string, c Caller, a *Alarm) {
	begin := s.cfg.Now()
	targets, errs := s.catalog.Load().Match(a)
	var problems []string
	for _, err := range errs {
		problems = append(problems, err.Error())
	}
	res := []Started{}
	outcome := "ignored"
	for _, t := range targets {
		if err := interp.MayStart(t.Plan, c.Identity, c.Groups); err != nil {
			reason := err.Error()
			s.cfg.Logger.Warn("start refused", "hook", hook, "alarm", a.Name, "definition", t.Plan.Name, "reason", reason)
			res = append(res, Started{Definition: t.Plan.Name, Status: "refused", Reason: reason})
			if outcome == "ignored" {
				outcome = "refused"
			}
			continue
		}
		if !s.cool.allow(t, a, begin) {
			res = append(res, Started{Definition: t.Plan.Name, Status: "cooldown"})
			if outcome == "ignored" || outcome == "refused" {
				outcome = "cooldown"
			}
			continue
		}
		st, err := s.startAlarm(r.Context(), c, t, a)
		if err != nil {
			s.cfg.Metrics.IncHookDeliveries(hook, "error")
			s.cfg.Logger.Error("start", "hook", hook, "alarm", a.Name, "definition", t.Plan.Name, "error", err)
			WriteProblem(w, http.StatusServiceUnavailable, fmt.Sprintf("starting %s failed; the server's log says why", t.Plan.Name))
			return
		}
		res = append(res, st)
		if st.Status == "started" || outcome == "ignored" || outcome == "cooldown" || outcome == "refused" {
			outcome = st.Status
		}
	}
	if outcome == "started" {
		s.cfg.Metrics.ObserveHookToStart(s.cfg.Now().Sub(begin))
	}
	s.cfg.Metrics.IncHookDeliveries(hook, outcome)
	s.cfg.Logger.Info("alarm", "hook", hook, "alarm", a.Name, "state", a.State, "episode", a.Episode(), "outcome", outcome, "executions", len(res))
	body := map[string]any{"alarm": a.Name, "state": a.State, "episode": a.Episode(), "executions": res}
	if len(problems) > 0 {
		body["errors"] = problems
	}
	WriteJSON(w, http.StatusAccepted, body)
}

func (s *Server) startAlarm(ctx context.Context, c Caller, t Target, a *Alarm) (Started, error) {
	in := engine.Input{Plan: t.Plan, Params: t.Params, StartedBy: c.Identity, Trigger: "alarm", Alarm: a.Data()}
	id := t.Plan.Name + "/" + a.Episode()
	opts, err := interp.StartOptions(in, id)
	if err != nil {
		return Started{}, err
	}
	opts.ID = id // the episode, not a lock key: a lock does not apply to alarms
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	_, err = s.cfg.Client.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
	var dup *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &dup):
		return Started{Definition: t.Plan.Name, ID: id, Status: "duplicate"}, nil
	case err != nil:
		return Started{}, err
	}
	s.cfg.Metrics.IncExecutionsStarted(t.Plan.Name, "alarm")
	return Started{Definition: t.Plan.Name, ID: id, Status: "started"}, nil
}

// readBody reads a bounded request body; a body too large is a 413.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		WriteProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBody))
		return nil, false
	case err != nil:
		WriteProblem(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return nil, false
	}
	return b, true
}
