package deploy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine/serve"
)

// healthyTemporal is a Temporal client whose health check passes: the
// rest of the interface is never called by the probes.
type healthyTemporal struct{ client.Client }

func (healthyTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

// checkProbePath reports a probe path that `runbook serve`'s handler
// (engine/serve, as the binary builds it) does not answer with 200 when
// Temporal is reachable.
func checkProbePath(t *testing.T, where, path string) {
	t.Helper()
	srv := serve.New(serve.Config{Client: healthyTemporal{}}, nil, nil)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Errorf("%s: probe path %s: runbook serve answers %d, want 200", where, path, rec.Code)
	}
}
