package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

// metricsFlags are --metrics-listen of worker and server (serve answers
// /metrics on its own listener).
type metricsFlags struct {
	MetricsListen string `name:"metrics-listen" placeholder:"ADDR" help:"Serve Prometheus metrics (the worker's steps and executions, the Temporal SDK's, Go's and the process's) at http://ADDR/metrics."`
}

// serveMetrics serves m at /metrics on --metrics-listen, if given, until
// the returned stop is called.
func (f metricsFlags) serveMetrics(m *serve.Metrics, log *slog.Logger) (stop func(), err error) {
	if f.MetricsListen == "" {
		return func() {}, nil
	}
	l, err := net.Listen("tcp", f.MetricsListen)
	if err != nil {
		return nil, usagef("--metrics-listen %s: %v", f.MetricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "error", err)
		}
	}()
	log.Info("metrics on http://"+l.Addr().String()+"/metrics", "address", l.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}, nil
}
