package main

import (
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// napping logs, sleeps long enough for its worker to be killed, and logs
// again.
const napping = `apiVersion: runbook/v1
kind: Runbook
name: napping
version: 1.0.0
steps:
  - name: before
    log: before the nap
  - name: nap
    sleep: 5s
  - name: after
    log: after the nap
`

// metricsReady matches a worker's log once it serves metrics and polls,
// capturing the metrics address.
const metricsReady = `(?s)metrics on http://([^/"\s]+)/metrics.*worker on `

// TestWorkerMetricsReplay runs a runbook on worker 1, kills it while the
// runbook sleeps and lets worker 2 (each with --metrics-listen) finish
// it. Worker 2 replays the history of the first step before it runs the
// rest: its metrics count only the steps it ran, so that the sum over
// workers counts each step once.
func TestWorkerMetricsReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Temporal server and two workers")
	}
	env := e2eEnv(t)
	srv := startChild(t, env, "server", `Temporal server on (\S+) `, "server", "--no-worker", "--headless", "--port", "0", "--state-dir", t.TempDir())
	addr := srv.ready[1]
	worker := func(name string) *child {
		return startChild(t, env, name, metricsReady, "worker", "--address", addr, "--insecure-generated-key", "--metrics-listen", "127.0.0.1:0", "--log-format", "json", "--state-dir", t.TempDir())
	}
	w1 := worker("worker 1")
	dir := workdir(t, map[string]string{"napping.yaml": napping})
	r := e2eRun(t, dir, env, "start", "napping.yaml", "--address", addr)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatalf("start: %s", r)
	}
	logSteps := map[string]string{"kind": "log", "status": "succeeded"}
	for deadline := time.Now().Add(30 * time.Second); count(scrape(t, w1.ready[1]), "runbook_step_duration_seconds", logSteps) < 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("worker 1 ran no log step in 30s")
		}
	}
	w1.kill()
	w2 := worker("worker 2")
	if r = e2eRun(t, dir, env, "watch", id, "--address", addr); r.code != 0 {
		t.Fatalf("watch: %s", r)
	}
	fams := scrape(t, w2.ready[1])
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"runbook_step_duration_seconds", logSteps, 1}, // after, not before (replayed)
		{"runbook_step_duration_seconds", map[string]string{"kind": "sleep", "status": "succeeded"}, 1},
		{"runbook_executions_finished_total", map[string]string{"definition": "napping", "status": "succeeded"}, 1},
	} {
		if got := count(fams, tc.name, tc.labels); got != tc.want {
			t.Errorf("worker 2: %s%v counts %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
}

// scrape reads the metrics at addr, failing t unless they parse.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v\n%s", resp.StatusCode, err, body)
	}
	return fams
}

// count sums a counter's values, or a histogram's sample counts, over
// the series of name that carry labels (and any others).
func count(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	var n float64
	for _, m := range fams[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		if !matches(have, labels) {
			continue
		}
		n += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
	}
	return n
}

// matches reports whether have holds every label of want.
func matches(have, want map[string]string) bool {
	for k, v := range maps.All(want) {
		if have[k] != v {
			return false
		}
	}
	return true
}
