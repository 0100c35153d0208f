package serve_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/engine/serve"
)

// exposition is what m writes.
func exposition(t *testing.T, m *serve.Metrics) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// finished and step report as the interpreter does, through the SDK's
// metrics handler.
func finished(m *serve.Metrics, definition, status string) {
	m.SDKHandler().WithTags(map[string]string{"definition": definition, "status": status}).Counter(interp.MetricExecutionsFinished).Inc(1)
}

func step(m *serve.Metrics, kind, status string, d time.Duration) {
	m.SDKHandler().WithTags(map[string]string{"kind": kind, "status": status}).Timer(interp.MetricStepDuration).Record(d)
}

func TestMetricsExposition(t *testing.T) {
	m := serve.NewMetrics()
	m.IncExecutionsStarted("restart-db", "alarm")
	m.IncExecutionsStarted("restart-db", "api")
	m.IncExecutionsStarted("restart-db", "alarm")
	finished(m, "restart-db", "succeeded")
	m.IncHookDeliveries("sns", "started")
	m.IncHookDeliveries("sns", "duplicate")
	m.ObserveHookToStart(30 * time.Millisecond)
	m.ObserveApprovalWait("restart-db", 90*time.Second)
	step(m, "aws", "succeeded", 250*time.Millisecond) // bounds are inclusive: le="0.25"
	step(m, "aws", "succeeded", 2*time.Second)
	step(m, "sleep", "succeeded", 0)
	want := `# HELP runbook_approval_wait_seconds Time approvals waited for an answer, by definition.
# TYPE runbook_approval_wait_seconds histogram
runbook_approval_wait_seconds_bucket{definition="restart-db",le="10"} 0
runbook_approval_wait_seconds_bucket{definition="restart-db",le="30"} 0
runbook_approval_wait_seconds_bucket{definition="restart-db",le="60"} 0
runbook_approval_wait_seconds_bucket{definition="restart-db",le="120"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="300"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="600"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="1800"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="3600"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="7200"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="14400"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="43200"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="86400"} 1
runbook_approval_wait_seconds_bucket{definition="restart-db",le="+Inf"} 1
runbook_approval_wait_seconds_sum{definition="restart-db"} 90
runbook_approval_wait_seconds_count{definition="restart-db"} 1
# HELP runbook_executions_finished_total Executions finished, by definition and final status.
# TYPE runbook_executions_finished_total counter
runbook_executions_finished_total{definition="restart-db",status="succeeded"} 1
# HELP runbook_executions_started_total Executions started, by definition and trigger (alarm, api, ...).
# TYPE runbook_executions_started_total counter
runbook_executions_started_total{definition="restart-db",trigger="alarm"} 2
runbook_executions_started_total{definition="restart-db",trigger="api"} 1
# HELP runbook_hook_deliveries_total Deliveries to the hooks, by hook and outcome (started, duplicate, refused, ignored, error; slack: decided, opened, refused, ignored, error).
# TYPE runbook_hook_deliveries_total counter
runbook_hook_deliveries_total{hook="sns",outcome="duplicate"} 1
runbook_hook_deliveries_total{hook="sns",outcome="started"} 1
# HELP runbook_hook_to_start_seconds Time from a hook's delivery to the start of its execution.
# TYPE runbook_hook_to_start_seconds histogram
runbook_hook_to_start_seconds_bucket{le="0.005"} 0
runbook_hook_to_start_seconds_bucket{le="0.01"} 0
runbook_hook_to_start_seconds_bucket{le="0.025"} 0
runbook_hook_to_start_seconds_bucket{le="0.05"} 1
runbook_hook_to_start_seconds_bucket{le="0.1"} 1
runbook_hook_to_start_seconds_bucket{le="0.25"} 1
runbook_hook_to_start_seconds_bucket{le="0.5"} 1
runbook_hook_to_start_seconds_bucket{le="1"} 1
runbook_hook_to_start_seconds_bucket{le="2.5"} 1
runbook_hook_to_start_seconds_bucket{le="5"} 1
runbook_hook_to_start_seconds_bucket{le="10"} 1
runbook_hook_to_start_seconds_bucket{le="+Inf"} 1
runbook_hook_to_start_seconds_sum 0.03
runbook_hook_to_start_seconds_count 1
# HELP runbook_step_duration_seconds Time steps took, by step kind and status.
# TYPE runbook_step_duration_seconds histogram
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="0.01"} 0
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="0.05"} 0
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="0.1"} 0
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="0.25"} 1
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="0.5"} 1
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="1"} 1
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="2.5"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="5"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="10"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="30"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="60"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="120"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="300"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="600"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="1800"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="3600"} 2
runbook_step_duration_seconds_bucket{kind="aws",status="succeeded",le="+Inf"} 2
runbook_step_duration_seconds_sum{kind="aws",status="succeeded"} 2.25
runbook_step_duration_seconds_count{kind="aws",status="succeeded"} 2
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="0.01"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="0.05"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="0.1"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="0.25"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="0.5"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="1"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="2.5"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="5"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="10"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="30"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="60"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="120"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="300"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="600"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="1800"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="3600"} 1
runbook_step_duration_seconds_bucket{kind="sleep",status="succeeded",le="+Inf"} 1
runbook_step_duration_seconds_sum{kind="sleep",status="succeeded"} 0
runbook_step_duration_seconds_count{kind="sleep",status="succeeded"} 1
`
	if got := exposition(t, m); got != want {
		t.Errorf("exposition\n%s\nwant\n%s", got, want)
	}
}

func TestMetricsEmpty(t *testing.T) {
	// Only the unlabelled histogram shows before anything happens.
	got := exposition(t, serve.NewMetrics())
	if !strings.HasPrefix(got, "# HELP runbook_hook_to_start_seconds ") || !strings.HasSuffix(got, "runbook_hook_to_start_seconds_count 0\n") ||
		strings.Count(got, "# TYPE") != 1 {
		t.Errorf("exposition of new Metrics\n%s", got)
	}
	var none *serve.Metrics
	none.IncExecutionsStarted("d", "alarm")
	step(none, "aws", "failed", time.Second)
	none.SDKHandler().WithTags(map[string]string{"a": "b"}).Counter("temporal_request").Inc(1)
	if got := exposition(t, none); got != "" {
		t.Errorf("a nil *Metrics writes\n%s", got)
	}
}

func TestMetricsLabelEscaping(t *testing.T) {
	for _, tc := range []struct {
		value, want string
	}{
		{`plain`, `plain`},
		{`say "hi"`, `say \"hi\"`},
		{`C:\runbooks`, `C:\\runbooks`},
		{"two\nlines", `two\nlines`},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{"unicode ✓ {},=", "unicode ✓ {},="},
	} {
		m := serve.NewMetrics()
		finished(m, tc.value, "failed")
		want := `runbook_executions_finished_total{definition="` + tc.want + `",status="failed"} 1` + "\n"
		if got := exposition(t, m); !strings.Contains(got, want) {
			t.Errorf("definition %q: exposition\n%s\nwant the line\n%s", tc.value, got, want)
		}
		parse(t, exposition(t, m))
	}
}

func TestMetricsSDK(t *testing.T) {
	m := serve.NewMetrics()
	h := m.SDKHandler()
	ns := h.WithTags(map[string]string{"namespace": "default", "task_queue": "runbook"})
	h.Counter("temporal_request").Inc(1)
	ns.Counter("temporal_request").Inc(2)
	ns.Counter("temporal_request").Inc(-5) // counters never go down
	ns.WithTags(map[string]string{"task_queue": "other", "operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(1)
	h.Counter("temporal.request-failure").Inc(1)
	h.Counter("temporal_long_request_total").Inc(1) // no second _total
	ns.Gauge("temporal_num_pollers").Update(2)
	ns.Gauge("temporal_num_pollers").Update(1.5)
	h.WithTags(map[string]string{"le": "x", "task-queue": `a"b`}).Timer("temporal_request_latency").Record(20 * time.Millisecond)
	h.Gauge("temporal_request_total").Update(9) // a counter's name: dropped
	h.Timer("temporal_num_pollers").Record(time.Second)
	h.Gauge("9lives").Update(-1)

	// Series of one name sort by their number of labels, then by values.
	want := `# HELP _9lives Temporal SDK gauge 9lives.
# TYPE _9lives gauge
_9lives -1
# HELP temporal_long_request_total Temporal SDK counter temporal_long_request_total.
# TYPE temporal_long_request_total counter
temporal_long_request_total 1
# HELP temporal_num_pollers Temporal SDK gauge temporal_num_pollers.
# TYPE temporal_num_pollers gauge
temporal_num_pollers{namespace="default",task_queue="runbook"} 1.5
# HELP temporal_request_failure_total Temporal SDK counter temporal.request-failure.
# TYPE temporal_request_failure_total counter
temporal_request_failure_total 1
# HELP temporal_request_latency Temporal SDK timer temporal_request_latency, in seconds.
# TYPE temporal_request_latency histogram
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.001"} 0
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.005"} 0
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.01"} 0
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.025"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.05"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.1"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.25"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="0.5"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="1"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="2.5"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="5"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="10"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="30"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="60"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="300"} 1
temporal_request_latency_bucket{tag_le="x",task_queue="a\"b",le="+Inf"} 1
temporal_request_latency_sum{tag_le="x",task_queue="a\"b"} 0.02
temporal_request_latency_count{tag_le="x",task_queue="a\"b"} 1
# HELP temporal_request_total Temporal SDK counter temporal_request.
# TYPE temporal_request_total counter
temporal_request_total 1
temporal_request_total{namespace="default",task_queue="runbook"} 2
temporal_request_total{namespace="default",operation="StartWorkflowExecution",task_queue="other"} 1
`
	got := exposition(t, m)
	// The server's own histogram, always shown, is not the point here.
	got = got[:strings.Index(got, "# HELP runbook_hook_to_start_seconds")] + got[strings.Index(got, "# HELP temporal_"):]
	if got != want {
		t.Errorf("exposition\n%s\nwant\n%s", got, want)
	}
	parse(t, exposition(t, m))
}

func TestMetricsHandler(t *testing.T) {
	m := serve.NewMetrics()
	m.IncExecutionsStarted("restart-db", "alarm")
	m.IncExecutionsStarted("scale-out", "api")
	step(m, "aws", "failed", 3*time.Second)
	m.SDKHandler().WithTags(map[string]string{"namespace": "default"}).Timer("temporal_request_latency").Record(time.Millisecond)
	m.SDKHandler().Counter("temporal_request").Inc(3)

	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4; charset=utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	fams := parse(t, w.Body.String())
	for _, tc := range []struct {
		name    string
		typ     dto.MetricType
		metrics int
	}{
		{"runbook_executions_started_total", dto.MetricType_COUNTER, 2},
		{"runbook_step_duration_seconds", dto.MetricType_HISTOGRAM, 1},
		{"runbook_hook_to_start_seconds", dto.MetricType_HISTOGRAM, 1},
		{"temporal_request_latency", dto.MetricType_HISTOGRAM, 1},
		{"temporal_request_total", dto.MetricType_COUNTER, 1},
	} {
		f := fams[tc.name]
		if f == nil || f.GetType() != tc.typ || len(f.GetMetric()) != tc.metrics {
			t.Errorf("%s: parsed %v, want %d metrics of type %v", tc.name, f, tc.metrics, tc.typ)
		}
	}
	if h := fams["runbook_step_duration_seconds"].GetMetric()[0].GetHistogram(); h.GetSampleCount() != 1 || h.GetSampleSum() != 3 {
		t.Errorf("step histogram parsed as %v", h)
	}
	if len(fams) != 5 {
		t.Errorf("%d families, want 5", len(fams))
	}
}

func TestMetricsConcurrent(t *testing.T) {
	m := serve.NewMetrics()
	sdk := m.SDKHandler()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sdk.WithTags(map[string]string{"worker": string(rune('a' + g%2))})
			for range 500 {
				m.IncHookDeliveries("generic", "started")
				h.Counter("temporal_poll").Inc(1)
				h.Timer("temporal_poll_latency").Record(time.Millisecond)
			}
			m.WriteTo(io.Discard) //nolint:errcheck // scraping while others write
		}()
	}
	wg.Wait()
	got := exposition(t, m)
	for _, line := range []string{
		`runbook_hook_deliveries_total{hook="generic",outcome="started"} 4000`,
		`temporal_poll_total{worker="a"} 2000`,
		`temporal_poll_total{worker="b"} 2000`,
		`temporal_poll_latency_count{worker="b"} 2000`,
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("exposition lacks %s", line)
		}
	}
}

// parse parses text as Prometheus does, failing t when it is not valid.
func parse(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not valid exposition: %v\n%s", err, text)
	}
	return fams
}

func TestMetricsProcess(t *testing.T) {
	m := serve.NewProcessMetrics()
	// An SDK metric may not take the name of one of the server's own.
	m.SDKHandler().Counter("runbook_executions_started").Inc(7)
	m.SDKHandler().Gauge("runbook_hook_to_start_seconds").Update(1)
	m.IncExecutionsStarted("restart-db", "api")
	fams := parse(t, exposition(t, m))
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if got := fams["runbook_executions_started_total"].GetMetric(); len(got) != 1 || got[0].GetCounter().GetValue() != 1 {
		t.Errorf("runbook_executions_started_total: %v, want only the server's 1", got)
	}
	if got := fams["runbook_hook_to_start_seconds"]; got.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("runbook_hook_to_start_seconds: %v", got)
	}

	// A worker's registry has no server metrics, but the SDK's.
	w := serve.NewWorkerMetrics()
	w.IncHookDeliveries("sns", "refused")
	w.ObserveHookToStart(time.Second)
	step(w, "aws", "failed", time.Second)
	fams = parse(t, exposition(t, w))
	for name, want := range map[string]bool{"go_goroutines": true, "runbook_step_duration_seconds": true,
		"runbook_hook_deliveries_total": false, "runbook_hook_to_start_seconds": false} {
		if got := fams[name] != nil; got != want {
			t.Errorf("worker metrics: %s shown %v, want %v", name, got, want)
		}
	}
	if h := fams["runbook_step_duration_seconds"]; h.GetHelp() != "Time steps took, by step kind and status." {
		t.Errorf("worker metrics: step help %q", h.GetHelp())
	}
}
