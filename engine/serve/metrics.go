package serve

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// MetricsContentType is the Content-Type of the Prometheus text
// exposition format, version 0.0.4, which Metrics.Handler serves.
const MetricsContentType = "text/plain; version=0.0.4; charset=utf-8"

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

// Metrics is the server's registry of counters, gauges and histograms,
// served as Prometheus text by Handler; SDKHandler feeds the Temporal
// SDK's metrics into it as well, the interpreter's steps and finished
// executions among them. It holds no global state: make one per
// server with NewMetrics. It is safe for concurrent use, each metric
// family having its own lock. The methods of a nil *Metrics do nothing.
type Metrics struct {
	mu       sync.RWMutex
	families map[string]*metricFamily // by Prometheus name
	sdk      map[sdkMetric]*metricFamily

	started, finished, steps, approvalWait, hookDeliveries, hookToStart, pageSessions *metricFamily
}

// NewMetrics returns a registry holding the server's own metrics, all
// named runbook_*.
func NewMetrics() *Metrics {
	m := &Metrics{families: map[string]*metricFamily{}, sdk: map[sdkMetric]*metricFamily{}}
	m.started = m.register("runbook_executions_started_total",
		"Executions started, by definition and trigger (alarm, api, ...).", counterKind, nil)
	m.finished = m.register("runbook_executions_finished_total",
		"Executions finished, by definition and final status.", counterKind, nil)
	m.steps = m.register("runbook_step_duration_seconds",
		"Time steps took, by step kind and status.", histogramKind, stepBuckets)
	m.approvalWait = m.register("runbook_approval_wait_seconds",
		"Time approvals waited for an answer, by definition.", histogramKind, approvalBuckets)
	m.hookDeliveries = m.register("runbook_hook_deliveries_total",
		"Deliveries to the alarm hooks, by hook and outcome (started, duplicate, refused, ignored, error).", counterKind, nil)
	m.hookToStart = m.register("runbook_hook_to_start_seconds",
		"Time from a hook's delivery to the start of its execution.", histogramKind, hookBuckets)
	m.pageSessions = m.register("runbook_page_sessions_total",
		"Web page session events, by event (signed_in, refused, signed_out, expired, revoked, evicted).", counterKind, nil)
	m.hookToStart.mu.Lock()
	m.hookToStart.at("") // always shown, zero until the first start
	m.hookToStart.mu.Unlock()
	return m
}

// register returns the family named name, making it; nil when a family
// of that name exists with another type or other buckets.
func (m *Metrics) register(name, help string, kind metricKind, buckets []float64) *metricFamily {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.families[name]; ok {
		if f.kind != kind || !slices.Equal(f.buckets, buckets) {
			return nil
		}
		return f
	}
	f := newMetricFamily(name, help, kind, buckets)
	m.families[name] = f
	return f
}

// IncExecutionsStarted counts an execution of definition started by
// trigger (alarm, api, schedule, ...).
func (m *Metrics) IncExecutionsStarted(definition, trigger string) {
	if m != nil {
		m.started.add(promLabels("definition", definition, "trigger", trigger), 1)
	}
}

// ObserveApprovalWait records that an approval in definition waited d
// for its answer.
func (m *Metrics) ObserveApprovalWait(definition string, d time.Duration) {
	if m != nil {
		m.approvalWait.observe(promLabels("definition", definition), d.Seconds())
	}
}

// IncHookDeliveries counts a delivery to hook (sns, eventbridge,
// generic) by its outcome: started, duplicate, refused, ignored or error.
func (m *Metrics) IncHookDeliveries(hook, outcome string) {
	if m != nil {
		m.hookDeliveries.add(promLabels("hook", hook, "outcome", outcome), 1)
	}
}

// IncPageSessions counts a web page session event: signed_in, refused
// (a sign-in with an unknown token), signed_out, expired, revoked (its
// token left the tokens file) or evicted (pushed out by the cap).
func (m *Metrics) IncPageSessions(event string) {
	if m != nil {
		m.pageSessions.add(promLabels("event", event), 1)
	}
}

// ObserveHookToStart records the time d from a hook's delivery to the
// start of the execution it asked for.
func (m *Metrics) ObserveHookToStart(d time.Duration) {
	if m != nil {
		m.hookToStart.observe("", d.Seconds())
	}
}

// WriteTo writes every metric in the text exposition format, sorted by
// name and then by label set, each name under one HELP and one TYPE
// line.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	if m == nil {
		return 0, nil
	}
	m.mu.RLock()
	fams := make([]*metricFamily, 0, len(m.families))
	for _, f := range m.families {
		fams = append(fams, f)
	}
	m.mu.RUnlock()
	slices.SortFunc(fams, func(a, b *metricFamily) int { return strings.Compare(a.name, b.name) })
	var b bytes.Buffer
	for _, f := range fams {
		f.write(&b)
	}
	return b.WriteTo(w)
}

// Handler serves the metrics as Prometheus scrapes them.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		m.WriteTo(&b) //nolint:errcheck // a bytes.Buffer does not fail
		w.Header().Set("Content-Type", MetricsContentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b.Bytes()) //nolint:errcheck // the scraper went away
	})
}
