package serve

import (
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
)

// Buckets, in seconds, of the histograms.
var (
	// stepBuckets span a quick API call to an hour-long wait.
	stepBuckets = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
	// approvalBuckets span a person at hand to one who answers next day.
	approvalBuckets = []float64{10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400}
	// hookBuckets span a start the server makes at once to a slow one.
	hookBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	// sdkTimerBuckets are for the Temporal SDK's latencies, mostly RPCs
	// and task schedule-to-start times.
	sdkTimerBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}
)

// Metrics is a process's Prometheus registry: the HTTP server's own
// counters and histograms, and through SDKHandler the Temporal SDK's
// metrics, the interpreter's steps and finished executions among them.
// Handler serves them all. It holds no global state: make one per
// process with NewProcessMetrics (or NewMetrics, without the Go runtime's
// and the process's metrics). It is safe for concurrent use. The methods
// of a nil *Metrics do nothing.
type Metrics struct {
	reg *prometheus.Registry

	started, hookDeliveries, pageSessions *prometheus.CounterVec
	approvalWait                          *prometheus.HistogramVec
	hookToStart                           prometheus.Histogram

	// The families the SDK feeds (see metricsdk.go).
	mu   sync.RWMutex
	fams map[string]*sdkFamily // by Prometheus name, the server's own too
	vecs map[sdkKey]prometheus.Collector
}

// NewMetrics returns a registry holding the server's own metrics, all
// named runbook_*, and the SDK's once SDKHandler feeds them.
func NewMetrics() *Metrics {
	m := newMetrics()
	m.started = m.counter("runbook_executions_started_total",
		"Executions started, by definition and trigger (alarm, api, ...).", "definition", "trigger")
	m.approvalWait = m.histogram("runbook_approval_wait_seconds",
		"Time approvals waited for an answer, by definition.", approvalBuckets, "definition")
	m.hookDeliveries = m.counter("runbook_hook_deliveries_total",
		"Deliveries to the hooks, by hook and outcome (started, duplicate, refused, ignored, error; slack: decided, opened, refused, ignored, error).", "hook", "outcome")
	m.pageSessions = m.counter("runbook_page_sessions_total",
		"Web page session events, by event (signed_in, refused, signed_out, expired, revoked, evicted).", "event")
	// Unlabelled: always shown, zero until the first start.
	m.hookToStart = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "runbook_hook_to_start_seconds",
		Help: "Time from a hook's delivery to the start of its execution.", Buckets: hookBuckets})
	m.own("runbook_hook_to_start_seconds", m.hookToStart)
	return m
}

// NewProcessMetrics is NewMetrics with the Go runtime's (go_*) and the
// process's (process_*) metrics: the registry of `runbook serve`.
func NewProcessMetrics() *Metrics {
	return NewMetrics().withRuntime()
}

// NewWorkerMetrics is the registry of a process without the HTTP server
// (runbook worker, runbook server): the SDK's metrics, the Go runtime's
// and the process's; the server's own methods do nothing on it.
func NewWorkerMetrics() *Metrics {
	return newMetrics().withRuntime()
}

func newMetrics() *Metrics {
	return &Metrics{reg: prometheus.NewRegistry(), fams: map[string]*sdkFamily{}, vecs: map[sdkKey]prometheus.Collector{}}
}

func (m *Metrics) withRuntime() *Metrics {
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// server reports whether m holds the server's own metrics (NewMetrics).
func (m *Metrics) server() bool { return m != nil && m.started != nil }

func (m *Metrics) counter(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.own(name, v)
	return v
}

func (m *Metrics) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	m.own(name, v)
	return v
}

// own registers one of the server's metrics; the SDK may not use its name.
func (m *Metrics) own(name string, c prometheus.Collector) {
	m.reg.MustRegister(c)
	m.fams[name] = &sdkFamily{own: true}
}

// IncExecutionsStarted counts an execution of definition started by
// trigger (alarm, api, schedule, ...).
func (m *Metrics) IncExecutionsStarted(definition, trigger string) {
	if m.server() {
		m.started.WithLabelValues(labelValue(definition), labelValue(trigger)).Inc()
	}
}

// ObserveApprovalWait records that an approval in definition waited d
// for its answer.
func (m *Metrics) ObserveApprovalWait(definition string, d time.Duration) {
	if m.server() {
		m.approvalWait.WithLabelValues(labelValue(definition)).Observe(d.Seconds())
	}
}

// IncHookDeliveries counts a delivery to hook (sns, eventbridge,
// generic) by its outcome: started, duplicate, refused, ignored or error;
// or to slack: decided, opened (an answer form), refused, ignored, error.
func (m *Metrics) IncHookDeliveries(hook, outcome string) {
	if m.server() {
		m.hookDeliveries.WithLabelValues(labelValue(hook), labelValue(outcome)).Inc()
	}
}

// IncPageSessions counts a web page session event: signed_in, refused
// (a sign-in with an unknown token), signed_out, expired, revoked (its
// token left the tokens file) or evicted (pushed out by the cap).
func (m *Metrics) IncPageSessions(event string) {
	if m.server() {
		m.pageSessions.WithLabelValues(labelValue(event)).Inc()
	}
}

// ObserveHookToStart records the time d from a hook's delivery to the
// start of the execution it asked for.
func (m *Metrics) ObserveHookToStart(d time.Duration) {
	if m.server() {
		m.hookToStart.Observe(d.Seconds())
	}
}

// Register adds collectors to the registry, as Prometheus's Register
// does; a nil m takes nothing.
func (m *Metrics) Register(c prometheus.Collector) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(c)
}

// WriteTo writes every metric in the text exposition format, sorted by
// name, each name under one HELP and one TYPE line. A family that
// failed to gather is left out and its error returned, after the rest
// is written.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	if m == nil {
		return 0, nil
	}
	fams, gerr := m.reg.Gather()
	cw := &countingWriter{w: w}
	enc := expfmt.NewEncoder(cw, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			return cw.n, err
		}
	}
	return cw.n, gerr
}

// Handler serves the metrics as Prometheus scrapes them: the text format
// unless the scraper asks for the protocol buffer one.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	}
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
