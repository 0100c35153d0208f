package serve

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine/interp"
)

// SDKHandler is the Temporal SDK's metrics handler (client.Options
// MetricsHandler), feeding the SDK's metrics into m. A metric keeps the
// SDK's name, every character Prometheus does not allow becoming _; a
// counter gains _total; a timer is a histogram in seconds. Tags become
// labels (le and quantile renamed tag_le and tag_quantile), and the same
// name may come with different tags: each label set is its own series.
// A name that clashes with a metric of another type, or with one of the
// server's own, is dropped.
//
// Replay: the interpreter reports its steps and finished executions
// through workflow.GetMetricsHandler, which the SDK wraps around this
// handler so that nothing is recorded while a workflow task replays
// history: a worker that takes over an execution counts only what it
// runs itself.
func (m *Metrics) SDKHandler() client.MetricsHandler {
	return &sdkHandler{m: m}
}

// sdkFamily is what a Prometheus name holds: its type, help and buckets,
// or own when it is one of the server's metrics.
type sdkFamily struct {
	own     bool
	kind    metricKind
	help    string
	buckets []float64
}

// metricKind is a Prometheus metric type.
type metricKind int

const (
	counterKind metricKind = iota
	gaugeKind
	histogramKind
)

// sdkKey is one vector of a family: its SDK name and type, and its label
// names joined by commas.
type sdkKey struct {
	name   string
	kind   metricKind
	labels string
}

// interpMetrics describe the metrics the interpreter reports through the
// SDK, by their Prometheus names.
var interpMetrics = map[string]sdkFamily{
	interp.MetricStepDuration: {kind: histogramKind, help: "Time steps took, by step kind and status.", buckets: stepBuckets},
	interp.MetricExecutionsFinished + "_total": {kind: counterKind,
		help: "Executions finished, by definition and final status."},
	interp.MetricPlansRefused + "_total": {kind: counterKind,
		help: "Executions refused because the worker's catalog does not hold their plan."},
}

// sdkHandler is a client.MetricsHandler with a fixed set of tags.
type sdkHandler struct {
	m      *Metrics
	tags   map[string]string // by sanitized label name
	names  []string          // the label names, sorted
	values []string          // their values, in that order
}

// WithTags returns a handler with h's tags and tags, tags winning.
func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) { // sorted: names that sanitize alike resolve alike
		merged[promLabelName(k)] = labelValue(tags[k])
	}
	names := slices.Sorted(maps.Keys(merged))
	values := make([]string, len(names))
	for i, k := range names {
		values[i] = merged[k]
	}
	return &sdkHandler{m: h.m, tags: merged, names: names, values: values}
}

// Counter returns the counter name, exposed as name_total.
func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	if v, ok := h.m.sdkVec(name, counterKind, h.names).(*prometheus.CounterVec); ok {
		return sdkCounter{v.WithLabelValues(h.values...)}
	}
	return client.MetricsNopHandler.Counter(name)
}

// Gauge returns the gauge name.
func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	if v, ok := h.m.sdkVec(name, gaugeKind, h.names).(*prometheus.GaugeVec); ok {
		return sdkGauge{v.WithLabelValues(h.values...)}
	}
	return client.MetricsNopHandler.Gauge(name)
}

// Timer returns the timer name, exposed as a histogram in seconds.
func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	if v, ok := h.m.sdkVec(name, histogramKind, h.names).(*prometheus.HistogramVec); ok {
		return sdkTimer{v.WithLabelValues(h.values...)}
	}
	return client.MetricsNopHandler.Timer(name)
}

type sdkCounter struct{ c prometheus.Counter }

// Inc adds d; a counter never goes down, so a negative d is ignored.
func (c sdkCounter) Inc(d int64) {
	if d > 0 {
		c.c.Add(float64(d))
	}
}

type sdkGauge struct{ g prometheus.Gauge }

// Update sets the gauge to v.
func (g sdkGauge) Update(v float64) { g.g.Set(v) }

type sdkTimer struct{ o prometheus.Observer }

// Record observes d, in seconds.
func (t sdkTimer) Record(d time.Duration) { t.o.Observe(d.Seconds()) }

// sdkVec returns the vector of the SDK's metric name of kind with the
// label names labels, making and registering it; nil when its Prometheus
// name is taken by another type or by the server's own metric (or m is
// nil). The answer is remembered: the SDK asks for a metric on every
// use.
func (m *Metrics) sdkVec(name string, kind metricKind, labels []string) prometheus.Collector {
	if m == nil {
		return nil
	}
	key := sdkKey{name, kind, strings.Join(labels, ",")}
	m.mu.RLock()
	v, ok := m.vecs[key]
	m.mu.RUnlock()
	if ok {
		return v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.vecs[key]; ok {
		return v
	}
	prom := promMetricName(name)
	if kind == counterKind && !strings.HasSuffix(prom, "_total") {
		prom += "_total"
	}
	f := m.fams[prom]
	switch {
	case f == nil:
		f = sdkFamilyOf(name, prom, kind)
		m.fams[prom] = f
	case f.own || f.kind != kind:
		m.vecs[key] = nil
		return nil
	}
	switch kind {
	case counterKind:
		v = prometheus.NewCounterVec(prometheus.CounterOpts{Name: prom, Help: f.help}, labels)
	case gaugeKind:
		v = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: prom, Help: f.help}, labels)
	default:
		v = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: prom, Help: f.help, Buckets: f.buckets}, labels)
	}
	// Unchecked (it describes nothing): vectors of one name with other
	// label names may join it, and the registry merges them on Gather.
	m.reg.MustRegister(unchecked{v})
	m.vecs[key] = v
	return v
}

// sdkFamilyOf is the family of the SDK's metric name, prom in Prometheus.
func sdkFamilyOf(name, prom string, kind metricKind) *sdkFamily {
	if f, ok := interpMetrics[prom]; ok && f.kind == kind {
		return &f
	}
	switch kind {
	case counterKind:
		return &sdkFamily{kind: kind, help: "Temporal SDK counter " + name + "."}
	case gaugeKind:
		return &sdkFamily{kind: kind, help: "Temporal SDK gauge " + name + "."}
	}
	return &sdkFamily{kind: kind, help: "Temporal SDK timer " + name + ", in seconds.", buckets: sdkTimerBuckets}
}

// unchecked is a collector that describes nothing, which the registry
// takes without checking its metrics against others of the same name.
type unchecked struct{ prometheus.Collector }

func (unchecked) Describe(chan<- *prometheus.Desc) {}
