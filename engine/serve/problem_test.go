package serve_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/runbook-dev/runbook/engine/serve"
)

func TestProblemWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		detail string
		extra  []string
		want   string
	}{
		{"detail", http.StatusNotFound, "no execution restart-db/x", nil,
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"no execution restart-db/x"}` + "\n"},
		{"errors", http.StatusUnprocessableEntity, "the definition is invalid", []string{`a.yaml:3:5: error: unknown kind "sleeep"`, "b & <c>"},
			`{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the definition is invalid",` +
				`"errors":["a.yaml:3:5: error: unknown kind \"sleeep\"","b & <c>"]}` + "\n"},
		{"no detail", http.StatusUnauthorized, "", nil,
			`{"type":"about:blank","title":"Unauthorized","status":401}` + "\n"},
		{"unknown status", 599, "upstream said no", nil,
			`{"type":"about:blank","title":"Status 599","status":599,"detail":"upstream said no"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			serve.WriteProblem(w, tc.status, tc.detail, tc.extra...)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if w.Body.String() != tc.want {
				t.Errorf("body\n%s\nwant\n%s", w.Body, tc.want)
			}
		})
	}
}

func TestProblemWriteJSON(t *testing.T) {
	for _, tc := range []struct {
		name        string
		v           any
		status      int
		contentType string
		want        string
	}{
		{"map", map[string]any{"id": "restart-db/arn:aws:x/2026", "note": "a < b && c > d"}, http.StatusCreated, "application/json",
			`{"id":"restart-db/arn:aws:x/2026","note":"a < b && c > d"}` + "\n"},
		{"problem as value", serve.Problem{Type: "about:blank", Title: "Conflict", Status: 409, Instance: "/v1/executions/x"},
			http.StatusCreated, "application/json",
			`{"type":"about:blank","title":"Conflict","status":409,"instance":"/v1/executions/x"}` + "\n"},
		{"does not marshal", map[string]any{"ch": make(chan int)}, http.StatusInternalServerError, "application/problem+json",
			`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"encoding the answer: json: unsupported type: chan int"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			serve.WriteJSON(w, http.StatusCreated, tc.v)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if ct := w.Header().Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if w.Body.String() != tc.want {
				t.Errorf("body\n%s\nwant\n%s", w.Body, tc.want)
			}
		})
	}
}
