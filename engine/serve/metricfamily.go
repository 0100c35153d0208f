package serve

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// metricKind is a Prometheus metric type.
type metricKind int

const (
	counterKind metricKind = iota
	gaugeKind
	histogramKind
)

func (k metricKind) String() string {
	return [...]string{"counter", "gauge", "histogram"}[k]
}

// metricFamily is every series of one metric name: the unit a TYPE line
// describes. Its series are keyed by their rendered label set, so series
// of one name may have different label names (the SDK's tags vary).
type metricFamily struct {
	name, help string
	kind       metricKind
	buckets    []float64 // a histogram's upper bounds, ascending, without +Inf

	mu     sync.Mutex
	series map[string]*metricSeries
}

// metricSeries is one labelled time series of a family.
type metricSeries struct {
	labels string   // rendered and sorted: `a="x",b="y"`, "" for none
	value  float64  // a counter's or a gauge's
	counts []uint64 // a histogram's per bucket (not cumulative), the last for +Inf
	sum    float64  // a histogram's
	count  uint64   // a histogram's
}

func newMetricFamily(name, help string, kind metricKind, buckets []float64) *metricFamily {
	return &metricFamily{name: name, help: help, kind: kind, buckets: buckets, series: map[string]*metricSeries{}}
}

// at returns the series labelled labels, creating it; f.mu is held.
func (f *metricFamily) at(labels string) *metricSeries {
	s := f.series[labels]
	if s == nil {
		s = &metricSeries{labels: labels}
		if f.kind == histogramKind {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[labels] = s
	}
	return s
}

// add adds v to a counter (or a gauge).
func (f *metricFamily) add(labels string, v float64) {
	f.mu.Lock()
	f.at(labels).value += v
	f.mu.Unlock()
}

// set sets a gauge.
func (f *metricFamily) set(labels string, v float64) {
	f.mu.Lock()
	f.at(labels).value = v
	f.mu.Unlock()
}

// observe counts v into a histogram: into the first bucket whose upper
// bound is at least v (bounds are inclusive), else into +Inf.
func (f *metricFamily) observe(labels string, v float64) {
	i := sort.SearchFloat64s(f.buckets, v)
	f.mu.Lock()
	s := f.at(labels)
	s.counts[i]++
	s.sum += v
	s.count++
	f.mu.Unlock()
}

// write renders the family in the text exposition format, its series
// sorted by label set; a family with no series renders as nothing.
func (f *metricFamily) write(b *bytes.Buffer) {
	f.mu.Lock()
	all := make([]metricSeries, 0, len(f.series))
	for _, s := range f.series {
		c := *s
		c.counts = slices.Clone(s.counts)
		all = append(all, c)
	}
	f.mu.Unlock()
	if len(all) == 0 {
		return
	}
	slices.SortFunc(all, func(a, b metricSeries) int { return strings.Compare(a.labels, b.labels) })
	b.WriteString("# HELP " + f.name + " " + promHelp(f.help) + "\n")
	b.WriteString("# TYPE " + f.name + " " + f.kind.String() + "\n")
	for _, s := range all {
		if f.kind != histogramKind {
			promSample(b, f.name, s.labels, "", s.value)
			continue
		}
		var cum uint64
		for i, n := range s.counts {
			cum += n
			le := math.Inf(1)
			if i < len(f.buckets) {
				le = f.buckets[i]
			}
			promSample(b, f.name+"_bucket", s.labels, `le="`+promFloat(le)+`"`, float64(cum))
		}
		promSample(b, f.name+"_sum", s.labels, "", s.sum)
		promSample(b, f.name+"_count", s.labels, "", float64(s.count))
	}
}

// promSample writes `name{labels,extra} value`.
func promSample(b *bytes.Buffer, name, labels, extra string, v float64) {
	b.WriteString(name)
	if labels != "" || extra != "" {
		b.WriteByte('{')
		b.WriteString(labels)
		if labels != "" && extra != "" {
			b.WriteByte(',')
		}
		b.WriteString(extra)
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(promFloat(v))
	b.WriteByte('\n')
}

// promLabels renders name/value pairs, given in order of name, as
// `a="x",b="y"`: the key of a series and its text at once.
func promLabels(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i])
		b.WriteString(`="`)
		b.WriteString(promLabelValue(pairs[i+1]))
		b.WriteByte('"')
	}
	return b.String()
}

var (
	promLabelValueEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	promHelpEscaper       = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

// promLabelValue escapes \, " and newline, and makes v valid UTF-8.
func promLabelValue(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return promLabelValueEscaper.Replace(v)
}

func promHelp(h string) string { return promHelpEscaper.Replace(h) }

// promFloat formats v as the format wants: Go's shortest form, and
// +Inf, -Inf and NaN by those names.
func promFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// promMetricName maps name onto [a-zA-Z_:][a-zA-Z0-9_:]*, every other
// character becoming _ (and a leading digit gaining one).
func promMetricName(name string) string { return promName(name, true) }

// promLabelName maps name onto [a-zA-Z_][a-zA-Z0-9_]*, renaming the
// names Prometheus reserves (le, quantile, __*) by prefixing tag_.
func promLabelName(name string) string {
	name = promName(name, false)
	if name == "le" || name == "quantile" || strings.HasPrefix(name, "__") {
		name = "tag_" + name
	}
	return name
}

func promName(name string, colon bool) string {
	valid := func(i int, c rune) bool {
		return c == '_' || (colon && c == ':') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (i > 0 && '0' <= c && c <= '9')
	}
	ok := name != ""
	for i, c := range name {
		ok = ok && valid(i, c)
	}
	if ok {
		return name
	}
	var b strings.Builder
	if name == "" || ('0' <= name[0] && name[0] <= '9') {
		b.WriteByte('_')
	}
	for _, c := range name {
		if valid(1, c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
