package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/engine/serve"
)

// gated waits for bob's approval.
const gated = `apiVersion: runbook/v1
kind: Runbook
name: gated
version: 1.0.0
steps:
  - name: gate
    approve: {approvers: [user:bob], timeout: 10m}
`

// TestMonitoringNames checks deploy/monitoring against real processes: a
// `runbook server --metrics-listen` (and its worker) and a `runbook
// serve` on it run a failing runbook, an approval (waiting, then
// approved), a refused hook delivery and a workflow of a type no worker
// knows; then every metric that a dashboard panel or an alerting rule
// names must be among what the two expose.
func TestMonitoringNames(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	exprs := monitoringExprs(t)
	env := e2eEnv(t)
	srv := startChild(t, env, "server", `(?s)metrics on http://([^/"\s]+)/metrics.*Temporal server on (\S+) .*worker running`,
		"server", "--headless", "--port", "0", "--metrics-listen", "127.0.0.1:0", "--state-dir", t.TempDir())
	addr := srv.ready[2]
	dir := workdir(t, map[string]string{"failing.yaml": failingHTTP, "defs/gated.yaml": gated,
		"tokens.yaml": "- {sha256: " + serve.HashToken("alice-token") + ", identity: alice}\n- {sha256: " + serve.HashToken("bob-token") + ", identity: bob}\n"})
	sv := startChild(t, env, "serve", `serving on http://(\S+) `, "serve", "--listen", "127.0.0.1:0", "--address", addr, "--insecure-generated-key",
		"--catalog", dir+"/defs", "--tokens", dir+"/tokens.yaml", "--state-dir", t.TempDir())
	base := "http://" + sv.ready[1]
	api := func(token, method, path string, body any, v any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return do(t, req, v)
	}

	if r := e2eRun(t, dir, env, "run", "failing.yaml", "--address", addr); r.code != 1 {
		t.Fatalf("run: %s", r)
	}
	var started map[string]string
	if code := api("alice-token", "POST", "/v1/executions", serve.StartRequest{Definition: "gated"}, &started); code != http.StatusCreated {
		t.Fatalf("start gated: %d %v", code, started)
	}
	var waiting []*interp.WaitingStep
	for deadline := time.Now().Add(30 * time.Second); len(waiting) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("gated never waited for bob")
		}
		api("bob-token", "GET", "/v1/approvals", nil, &waiting)
	}
	names := exposed(scrape(t, sv.ready[1])) // while the approval waits
	if code := api("bob-token", "POST", "/v1/executions/"+started["id"]+"/approve", serve.DecideRequest{Request: waiting[0].Approval.Request}, &map[string]any{}); code != http.StatusOK {
		t.Errorf("approve: %d", code)
	}
	if code := api("", "POST", "/v1/hooks/generic", map[string]string{"name": "x"}, &map[string]any{}); code != http.StatusForbidden && code != http.StatusUnauthorized {
		t.Errorf("unsigned generic delivery: %d, want refused", code)
	}
	// A workflow no worker knows fails its workflow tasks, as a
	// non-determinism or a panic would.
	cl, err := client.Dial(client.Options{HostPort: addr, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: engine.TaskQueue}, "NoSuchWorkflow"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		for _, a := range []string{srv.ready[1], sv.ready[1]} {
			for n := range exposed(scrape(t, a)) {
				names[n] = true
			}
		}
		if names["temporal_workflow_task_execution_failed_total"] && names["runbook_approval_wait_seconds_bucket"] || time.Now().After(deadline) {
			break
		}
	}
	for _, e := range exprs {
		used := metricNames(e.expr)
		if len(used) == 0 {
			t.Errorf("%s: no metric in %s", e.where, e.expr)
		}
		for _, n := range used {
			if !names[n] && n != "up" { // up: Prometheus's own, per target
				t.Errorf("%s: %s is not exposed (%s)", e.where, n, e.expr)
			}
		}
	}
}

// monitoringExpr is one PromQL expression of deploy/monitoring.
type monitoringExpr struct{ where, expr string }

// monitoringExprs reads the dashboard's panel targets and the alerting
// rules.
func monitoringExprs(t *testing.T) []monitoringExpr {
	t.Helper()
	var out []monitoringExpr
	b, err := os.ReadFile("../../deploy/monitoring/dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Type, Title string
			Targets     []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	for _, p := range d.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			out = append(out, monitoringExpr{"panel " + p.Title, q.Expr})
		}
	}
	if b, err = os.ReadFile("../../deploy/monitoring/alerts.yaml"); err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct{ Alert, Expr string }
		}
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("alerts.yaml: %v", err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			out = append(out, monitoringExpr{"rule " + r.Alert, r.Expr})
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d expressions in deploy/monitoring", len(out))
	}
	return out
}

var (
	// promqlSkip are the parts of PromQL that hold no metric name: strings,
	// label matchers, ranges, and the label lists of by, without, on and
	// ignoring.
	promqlSkip = regexp.MustCompile(`"[^"]*"|\{[^}]*\}|\[[^\]]*\]|\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlWord = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_:]*(\s*\()?`)
	// promqlKeywords are PromQL's operators that read as words.
	promqlKeywords = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"}
)

// metricNames lists the metrics expr reads: its words that are neither a
// function (followed by a parenthesis) nor a keyword.
func metricNames(expr string) []string {
	var out []string
	for _, w := range promqlWord.FindAllString(promqlSkip.ReplaceAllString(expr, " "), -1) {
		if strings.HasSuffix(w, "(") || slices.Contains(promqlKeywords, strings.ToLower(w)) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// exposed is the names of the samples of fams: a histogram's _bucket,
// _sum and _count.
func exposed(fams map[string]*dto.MetricFamily) map[string]bool {
	out := map[string]bool{}
	for name, f := range fams {
		if f.GetType() == dto.MetricType_HISTOGRAM {
			out[name+"_bucket"], out[name+"_sum"], out[name+"_count"] = true, true, true
			continue
		}
		out[name] = true
	}
	return out
}

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`sum by (kind) (rate(runbook_step_duration_seconds_count{status="failed"}[5m])) > 3`, []string{"runbook_step_duration_seconds_count"}},
		{`histogram_quantile(0.95, sum by (le, activity_type) (rate(temporal_activity_execution_latency_bucket[$__rate_interval])))`, []string{"temporal_activity_execution_latency_bucket"}},
		{`up{job=~"runbook.*"} == 0 or absent(go_goroutines) and on (instance) process_open_fds`, []string{"up", "go_goroutines", "process_open_fds"}},
		{`max without (definition) (a:b:c{x="sum(y)"}) offset 5m`, []string{"a:b:c"}},
	} {
		if got := metricNames(tc.expr); !slices.Equal(got, tc.want) {
			t.Errorf("metricNames(%s) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
