package main

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an OTLP/HTTP trace receiver: the spans processes send.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if err != nil || r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			o.spans = append(o.spans, ss.Spans...)
		}
	}
	o.mu.Unlock()
	b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(b)
}

// TestTracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, one execution is one
// connected trace: the start, the workflow, its activities and the AWS
// calls inside them, each span's parent in the trace. Without it, nothing
// is sent.
func TestTracing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	rec := &otlpReceiver{}
	otlp := httptest.NewServer(rec)
	defer otlp.Close()
	dir := workdir(t, map[string]string{"e2e.yaml": e2eRunbook})
	env := e2eEnv(t)
	if r := e2eRun(t, dir, env, "run", "e2e.yaml", "--embedded", "--state-dir", t.TempDir(), "-p", "Queue=traced-off"); r.code != 0 {
		t.Fatalf("run without tracing: %d\n%s", r.code, r.stderr)
	}
	if len(rec.spans) != 0 {
		t.Fatalf("%d spans sent without OTEL_EXPORTER_OTLP_ENDPOINT", len(rec.spans))
	}
	env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+otlp.URL, "OTEL_BSP_SCHEDULE_DELAY=50")
	if r := e2eRun(t, dir, env, "run", "e2e.yaml", "--embedded", "--state-dir", t.TempDir(), "-p", "Queue=traced"); r.code != 0 {
		t.Fatalf("run: %d\n%s", r.code, r.stderr)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	byID := map[string]*tracepb.Span{}
	names := map[string]*tracepb.Span{}
	for _, s := range rec.spans {
		byID[hex.EncodeToString(s.SpanId)] = s
		names[s.Name] = s
	}
	for _, want := range []string{"StartWorkflow:runbook", "RunWorkflow:runbook", "StartActivity:aws", "RunActivity:aws", "sqs:CreateQueue", "sqs:GetQueueAttributes"} {
		if names[want] == nil {
			t.Errorf("no span %q among %d", want, len(rec.spans))
		}
	}
	root := names["StartWorkflow:runbook"]
	if root == nil {
		t.FailNow()
	}
	for _, s := range rec.spans {
		if hex.EncodeToString(s.TraceId) != hex.EncodeToString(root.TraceId) {
			t.Errorf("span %s is in another trace", s.Name)
			continue
		}
		if s != root && byID[hex.EncodeToString(s.ParentSpanId)] == nil {
			t.Errorf("span %s: its parent is not in the trace", s.Name)
		}
	}
	call := names["sqs:CreateQueue"]
	if p := byID[hex.EncodeToString(call.ParentSpanId)]; p == nil || p.Name != "RunActivity:aws" {
		t.Errorf("sqs:CreateQueue's parent: %v, want RunActivity:aws", p)
	}
}
