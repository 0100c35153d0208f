package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/engine/serve"
	"github.com/runbook-dev/runbook/steps"
)

// serveCmd runs a worker and the HTTP server: hooks, API, page, metrics.
type serveCmd struct {
	Listen      string   `default:"127.0.0.1:8080" help:"Address the HTTP server listens on."`
	ListenCert  string   `name:"listen-cert" type:"path" placeholder:"FILE" help:"TLS certificate (PEM): serve HTTPS."`
	ListenKey   string   `name:"listen-key" type:"path" placeholder:"FILE" help:"TLS key (PEM) of --listen-cert."`
	Tokens      string   `type:"path" placeholder:"FILE" help:"Tokens file: [{sha256: HEX, identity: NAME, groups: [..]}]. Without it no API call is authenticated."`
	HMACKeyFile string   `name:"hmac-key-file" type:"path" placeholder:"FILE" help:"Key of the generic hook's HMAC signatures."`
	SlackSecret string   `name:"slack-signing-secret-file" type:"path" placeholder:"FILE" help:"A file holding the Slack app's signing secret: turns on POST /v1/hooks/slack, which takes the clicks on human steps' Slack messages (with --slack-token-file). Refused when group or others can read it."`
	Routes      []string `type:"path" placeholder:"FILE" sep:"none" help:"A routing file (kind: Routing). Repeatable."`
	Catalog     []string `placeholder:"DIR" sep:"none" help:"A folder of definitions, besides the built-in library. Repeatable."`
	SNSHosts    string   `name:"sns-hosts" placeholder:"REGEX" help:"Hosts SNS certificates and SubscribeURLs may come from (default: sns.REGION.amazonaws.com)."`
	SNSCA       string   `name:"sns-ca" type:"path" placeholder:"FILE" help:"Roots (PEM) the SNS signing certificate must chain to (default: the system's)."`
	SNSTopics   []string `name:"sns-topic" placeholder:"ARN" sep:"none" help:"Turn the SNS hook on for this topic: messages and subscriptions of other topics are refused, and an alarm must be in its topic's account. Repeatable."`
	HookGroup   string   `name:"hook-group" default:"hooks" placeholder:"GROUP" help:"The tokens file's group whose tokens may deliver hooks (EventBridge); their holder is the executions' requester."`
	CodecOrigin []string `name:"codec-origin" placeholder:"URL" sep:"none" help:"A Temporal Web UI origin (scheme://host:port) whose signed-in page sessions may use the codec endpoints /codec/encode and /codec/decode, answered with CORS. Repeatable. (Bearer tokens may use them from anywhere.)"`
	AdminGroup  string   `name:"admin-group" default:"admins" placeholder:"GROUP" help:"The tokens file's group whose members may cancel any execution (others: its requester, approvers and cancellers)."`
	// SecureCookies is nil unless given: then it follows --listen.
	SecureCookies *bool `name:"secure-cookies" help:"Mark the web page's session cookie Secure: browsers send it over HTTPS only (--listen-cert, or a TLS-terminating proxy). Default: on, unless --listen is a loopback address without --listen-cert; --secure-cookies=false turns it off."`
	// The HTTP server's deadlines: a client that sends slowly, or reads
	// slowly, or idles, holds a connection no longer.
	ReadTimeout  time.Duration `name:"read-timeout" default:"30s" help:"How long a request, body included, may take to arrive."`
	WriteTimeout time.Duration `name:"write-timeout" default:"2m" help:"How long answering a request may take (an approval waits for the workflow)."`
	IdleTimeout  time.Duration `name:"idle-timeout" default:"2m" help:"How long a kept-alive connection may idle."`
	conn         `embed:""`
	workerFlags  `embed:""`
	queueFlag    `embed:""`
	configFlag   `embed:""`
	logFlags     `embed:""`
}

// Run serves until SIGINT or SIGTERM; SIGHUP reloads the definitions,
// routes and tokens (a bad file keeps the old ones, and says why).
func (c *serveCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log, sdks := c.loggers(e.stderr)
	cat, tokens, err := c.load()
	if err != nil {
		return err
	}
	cfg := serve.Config{Metrics: serve.NewProcessMetrics(), Logger: log, HookGroup: c.HookGroup}
	if c.HMACKeyFile != "" {
		if cfg.HMACKey, err = readKey(c.HMACKeyFile); err != nil {
			return err
		}
	}
	if cfg.SNS, err = c.snsVerifier(); err != nil {
		return err
	}
	if cfg.Slack, err = c.slackHook(); err != nil {
		return err
	}
	if cfg.CodecOrigins, err = origins(c.CodecOrigin); err != nil {
		return err
	}
	wo, closeAudit, err := c.workerFlags.options(c.StateDir, e.stderr)
	if err != nil {
		return err
	}
	wo.queue = c.TaskQueue
	defer closeAudit()
	wo.logTo(log, sdks)
	if c.catalogOnly(false) {
		wo.only(cat.Plans)
	}
	c.conn.embedded, c.conn.metrics, c.conn.sdkLog = wo, cfg.Metrics.SDKHandler(), sdks
	c.conn.runsWorker = true
	s, err := c.connect(ctx, true)
	if err != nil {
		return err
	}
	defer s.close()
	if s.worker == nil {
		if s.worker, err = startWorker(ctx, s.client, wo); err != nil {
			return err
		}
	}
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return err
	}
	cfg.Client, cfg.AdminGroup, cfg.Kinds, cfg.Codec = s.client, c.AdminGroup, steps.All(), codec
	l, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return usagef("--listen %s: %v", c.Listen, err)
	}
	if cfg.SecureCookies = c.secureCookies(l.Addr()); cfg.SecureCookies && c.ListenCert == "" {
		log.Info("the web page's session cookie is Secure: browsers send it over HTTPS only, so serve the page behind a TLS-terminating proxy (or --listen-cert, or --secure-cookies=false on a trusted network)")
	}
	srv := serve.New(cfg, cat, tokens)
	var handler http.Handler = srv
	if tracingOn() {
		handler = otelhttp.NewHandler(srv, "runbook-serve")
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: min(10*time.Second, c.ReadTimeout), ReadTimeout: c.ReadTimeout,
		WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if c.ListenCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(e.stdout, "serving on %s://%s (Temporal on %s, %d definitions, %d routes, %d tokens)\n", scheme, l.Addr(), where(s), len(cat.Plans), len(cat.Routes), tokens.Len())
	go c.reloadOnHUP(ctx, srv, wo.catalog, log)
	errc := make(chan error, 1)
	go func() {
		if c.ListenCert != "" {
			errc <- hs.ServeTLS(l, c.ListenCert, c.ListenKey)
		} else {
			errc <- hs.Serve(l)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return nil
}

// secureCookies is --secure-cookies or, when not given, whether the page
// is served over TLS or to other machines: anything but plain HTTP on a
// loopback address (addr, where the server listens), where a browser on
// this machine reaches it without TLS.
func (c *serveCmd) secureCookies(addr net.Addr) bool {
	if c.SecureCookies != nil {
		return *c.SecureCookies
	}
	ta, ok := addr.(*net.TCPAddr)
	return c.ListenCert != "" || !ok || !ta.IP.IsLoopback()
}

// load reads the definitions (built-in, --catalog, --routes) and the
// tokens; any error in them is an error.
func (c *serveCmd) load() (*serve.Catalog, *serve.Tokens, error) {
	plans, err := validCatalog(c.Catalog, c.Routes)
	if err != nil {
		return nil, nil, err
	}
	cat := &serve.Catalog{}
	for _, p := range plans {
		if p.Kind == engine.KindRouting {
			cat.Routes = append(cat.Routes, p.Routes...)
			continue
		}
		cat.Plans = append(cat.Plans, p)
	}
	tokens := &serve.Tokens{}
	if c.Tokens != "" {
		if tokens, err = serve.LoadTokens(c.Tokens); err != nil {
			return nil, nil, err
		}
	}
	return cat, tokens, nil
}

// reloadOnHUP reloads on every SIGHUP, the worker's catalog (when it
// has one) with the definitions; work in flight goes on.
func (c *serveCmd) reloadOnHUP(ctx context.Context, srv *serve.Server, wc *interp.Catalog, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			cat, tokens, err := c.load()
			if err != nil {
				log.Error("reload refused; serving the previous definitions, routes and tokens", "error", err)
				continue
			}
			srv.Reload(cat, tokens)
			if wc != nil {
				wc.Set(cat.Plans)
			}
			log.Info("reloaded", "definitions", len(cat.Plans), "routes", len(cat.Routes), "tokens", tokens.Len())
		}
	}
}

// slackHook is the Slack hook's configuration, nil (the hook off)
// without --slack-signing-secret-file.
func (c *serveCmd) slackHook() (*serve.SlackConfig, error) {
	if c.SlackSecret == "" {
		return nil, nil
	}
	if c.SlackTokenFile == "" {
		return nil, usagef("--slack-signing-secret-file needs --slack-token-file: the bot token opens answer forms and updates the messages")
	}
	secret, err := readSecretFile("--slack-signing-secret-file", c.SlackSecret)
	if err != nil {
		return nil, err
	}
	token, err := c.slackToken()
	if err != nil {
		return nil, err
	}
	return &serve.SlackConfig{SigningSecret: secret, Token: token, APIURL: c.SlackAPIURL}, nil
}

// origins checks that each of list is a Web origin: scheme://host[:port].
func origins(list []string) ([]string, error) {
	for _, o := range list {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return nil, usagef("--codec-origin %q is not an origin: want scheme://host[:port], e.g. http://127.0.0.1:8233", o)
		}
	}
	return list, nil
}

// snsVerifier is the SNS hook's verifier, nil (the hook off) when no
// --sns-topic names the topics it takes.
func (c *serveCmd) snsVerifier() (*serve.SNSVerifier, error) {
	if len(c.SNSTopics) == 0 {
		if c.SNSHosts != "" || c.SNSCA != "" {
			return nil, usagef("--sns-hosts and --sns-ca configure the SNS hook, which is off without --sns-topic")
		}
		return nil, nil
	}
	for _, t := range c.SNSTopics {
		if !snsTopicARN.MatchString(t) {
			return nil, usagef("--sns-topic %q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", t)
		}
	}
	v := &serve.SNSVerifier{Topics: c.SNSTopics}
	if c.SNSHosts != "" {
		re, err := regexp.Compile(c.SNSHosts)
		if err != nil {
			return nil, usagef("--sns-hosts: %v", err)
		}
		v.Hosts = re
	}
	if c.SNSCA != "" {
		pem, err := os.ReadFile(c.SNSCA)
		if err != nil {
			return nil, usagef("--sns-ca: %v", err)
		}
		v.Roots = x509.NewCertPool()
		if !v.Roots.AppendCertsFromPEM(pem) {
			return nil, usagef("--sns-ca: no certificate in %s", c.SNSCA)
		}
	}
	return v, nil
}

// snsTopicARN is an SNS topic's ARN, in any partition.
var snsTopicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)

// readKey reads a key file, which must hold at least 32 bytes.
func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--hmac-key-file: %v", err)
	}
	key := []byte(strings.TrimSpace(string(b)))
	if len(key) < 32 {
		return nil, errors.New("--hmac-key-file: the key is shorter than 32 bytes: use `openssl rand -hex 32`")
	}
	return key, nil
}
