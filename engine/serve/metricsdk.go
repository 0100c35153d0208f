package serve

import (
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
)

// sdkMetric is a metric as the SDK names it: its name and type.
type sdkMetric struct {
	name string
	kind metricKind
}

// SDKHandler is the Temporal SDK's metrics handler (client.Options
// MetricsHandler), feeding the SDK's metrics into m. A metric keeps the
// SDK's name, every character Prometheus does not allow becoming _; a
// counter gains _total; a timer is a histogram in seconds. Tags become
// labels (le and quantile renamed tag_le and tag_quantile), and the same
// name may come with different tags: each label set is its own series.
// A name that clashes with a metric of another type is dropped.
func (m *Metrics) SDKHandler() client.MetricsHandler {
	return &sdkHandler{m: m}
}

// sdkHandler is a client.MetricsHandler with a fixed set of tags.
type sdkHandler struct {
	m      *Metrics
	tags   map[string]string // by sanitized label name
	labels string            // tags rendered
}

// WithTags returns a handler with h's tags and tags, tags winning.
func (h *sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) { // sorted: names that sanitize alike resolve alike
		merged[promLabelName(k)] = tags[k]
	}
	names := slices.Sorted(maps.Keys(merged))
	pairs := make([]string, 0, 2*len(names))
	for _, k := range names {
		pairs = append(pairs, k, merged[k])
	}
	return &sdkHandler{m: h.m, tags: merged, labels: promLabels(pairs...)}
}

// Counter returns the counter name, exposed as name_total.
func (h *sdkHandler) Counter(name string) client.MetricsCounter {
	if f := h.m.sdkFamily(name, counterKind); f != nil {
		return sdkCounter{f, h.labels}
	}
	return client.MetricsNopHandler.Counter(name)
}

// Gauge returns the gauge name.
func (h *sdkHandler) Gauge(name string) client.MetricsGauge {
	if f := h.m.sdkFamily(name, gaugeKind); f != nil {
		return sdkGauge{f, h.labels}
	}
	return client.MetricsNopHandler.Gauge(name)
}

// Timer returns the timer name, exposed as a histogram in seconds.
func (h *sdkHandler) Timer(name string) client.MetricsTimer {
	if f := h.m.sdkFamily(name, histogramKind); f != nil {
		return sdkTimer{f, h.labels}
	}
	return client.MetricsNopHandler.Timer(name)
}

type sdkCounter struct {
	f      *metricFamily
	labels string
}

// Inc adds d; a counter never goes down, so a negative d is ignored.
func (c sdkCounter) Inc(d int64) {
	if d > 0 {
		c.f.add(c.labels, float64(d))
	}
}

type sdkGauge struct {
	f      *metricFamily
	labels string
}

// Update sets the gauge to v.
func (g sdkGauge) Update(v float64) { g.f.set(g.labels, v) }

type sdkTimer struct {
	f      *metricFamily
	labels string
}

// Record observes d, in seconds.
func (t sdkTimer) Record(d time.Duration) { t.f.observe(t.labels, d.Seconds()) }

// sdkFamily returns the family of the SDK's metric name of kind, making
// it; nil when its Prometheus name is taken by another type (or m is
// nil). The answer is remembered: the SDK asks for a metric on every
// use.
func (m *Metrics) sdkFamily(name string, kind metricKind) *metricFamily {
	if m == nil {
		return nil
	}
	key := sdkMetric{name, kind}
	m.mu.RLock()
	f, ok := m.sdk[key]
	m.mu.RUnlock()
	if ok {
		return f
	}
	prom := promMetricName(name)
	if kind == counterKind && !strings.HasSuffix(prom, "_total") {
		prom += "_total"
	}
	// The interpreter reports steps and finished executions through the
	// SDK's replay-aware handler, under the server's own names: they join
	// the server's families.
	m.mu.RLock()
	own, ok := m.families[prom]
	m.mu.RUnlock()
	if ok && own.kind == kind && strings.HasPrefix(prom, "runbook_") {
		m.mu.Lock()
		m.sdk[key] = own
		m.mu.Unlock()
		return own
	}
	var help string
	var buckets []float64
	switch kind {
	case counterKind:
		help = "Temporal SDK counter " + name + "."
	case gaugeKind:
		help = "Temporal SDK gauge " + name + "."
	case histogramKind:
		help = "Temporal SDK timer " + name + ", in seconds."
		buckets = sdkTimerBuckets
	}
	f = m.register(prom, help, kind, buckets)
	m.mu.Lock()
	m.sdk[key] = f
	m.mu.Unlock()
	return f
}
