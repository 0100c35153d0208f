package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/serve"
)

// serverCmd runs the embedded Temporal server, a worker and the Web UI.
type serverCmd struct {
	IP           string `name:"ip" default:"127.0.0.1" help:"IP address the frontend and the Web UI listen on (0.0.0.0: every interface). They have no TLS and no authentication: beyond loopback, anyone who reaches them runs the engine."`
	Port         int    `default:"7233" help:"Temporal frontend port on --ip."`
	UIPort       int    `name:"ui-port" default:"8233" help:"Web UI port on --ip."`
	Headless     bool   `help:"Do not serve the Web UI."`
	UICodec      string `name:"ui-codec-endpoint" placeholder:"URL" help:"The Web UI's codec endpoint: runbook serve's /codec (e.g. http://127.0.0.1:8080/codec, with --codec-origin http://127.0.0.1:8233 there), so the UI shows decrypted payloads to who is signed in to serve's page."`
	NoWorker     bool   `name:"no-worker" help:"Do not run a worker (run runbook worker elsewhere)."`
	Namespace    string `default:"default" env:"TEMPORAL_NAMESPACE" help:"Namespace."`
	StateDir     string `help:"State directory (default: $XDG_STATE_HOME/runbook)." env:"RUNBOOK_STATE_DIR" type:"path"`
	workerFlags  `embed:""`
	queueFlag    `embed:""`
	codecFlags   `embed:""`
	logFlags     `embed:""`
	metricsFlags `embed:""`

	// Catalog is the worker's catalog, besides the built-in library.
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions the worker runs with --catalog-only, besides the built-in library. Repeatable."`
}

// Run serves until SIGINT or SIGTERM.
func (c *serverCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log, sdks := c.loggers(e.stderr)
	metrics := serve.NewWorkerMetrics()
	stopMetrics, err := c.serveMetrics(metrics, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	dir := c.StateDir
	if dir == "" {
		var err error
		if dir, err = embedded.DefaultStateDir(); err != nil {
			return err
		}
	}
	cfg := embedded.Config{StateDir: dir, IP: c.IP, Port: c.Port, Namespace: c.Namespace, UICodec: c.UICodec, Logger: sdks}
	if !c.Headless {
		cfg.UIPort = c.UIPort
	}
	if ip := net.ParseIP(c.IP); ip == nil {
		return usagef("--ip %q: not an IP address", c.IP)
	} else if !ip.IsLoopback() {
		fmt.Fprintf(e.stderr, "warning: listening on %s without TLS or authentication: whoever reaches this port can start, read and approve executions, and read the Web UI; prefer loopback, or a private network behind a TLS-terminating proxy\n", c.IP)
	}
	srv, err := embedded.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Stop()
	fmt.Fprintf(e.stdout, "Temporal server on %s (namespace %s, state in %s)\n", srv.Address(), c.Namespace, dir)
	if srv.UIAddress() != "" {
		fmt.Fprintf(e.stdout, "Web UI on http://%s\n", srv.UIAddress())
	}
	if !c.NoWorker {
		cn := &conn{Namespace: c.Namespace, StateDir: dir, local: true, metrics: metrics.SDKHandler(), sdkLog: sdks}
		cn.CodecKeyFile, cn.CodecKeys = c.CodecKeyFile, c.CodecKeys
		cl, err := cn.dial(ctx, srv.Address())
		if err != nil {
			return err
		}
		defer cl.Close()
		wo, closeAudit, err := c.workerFlags.options(dir, e.stderr)
		if err != nil {
			return err
		}
		wo.queue = c.TaskQueue
		defer closeAudit()
		wo.logTo(log, sdks)
		// One person's server runs the files they start, unless asked.
		if err := wo.onlyCatalog(c.catalogOnly(true), c.Catalog); err != nil {
			return err
		}
		w, err := startWorker(ctx, cl, wo)
		if err != nil {
			return err
		}
		defer w.Stop()
		fmt.Fprintln(e.stdout, "worker running on task queue "+wo.queue)
	}
	<-ctx.Done()
	log.Info("stopping")
	return nil
}

// workerCmd runs only a worker against a Temporal cluster.
type workerCmd struct {
	conn         `embed:""`
	workerFlags  `embed:""`
	queueFlag    `embed:""`
	configFlag   `embed:""`
	logFlags     `embed:""`
	metricsFlags `embed:""`

	// Catalog is the worker's catalog, besides the built-in library.
	Catalog []string `placeholder:"DIR" sep:"none" help:"A folder of definitions the worker runs with --catalog-only, besides the built-in library. Repeatable."`
}

// Run polls the task queue until SIGINT or SIGTERM; run more to scale out.
func (c *workerCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log, sdks := c.loggers(e.stderr)
	wo, closeAudit, err := c.workerFlags.options(c.StateDir, e.stderr)
	if err != nil {
		return err
	}
	wo.queue = c.TaskQueue
	defer closeAudit()
	wo.logTo(log, sdks)
	if err := wo.onlyCatalog(c.catalogOnly(false), c.Catalog); err != nil {
		return err
	}
	metrics := serve.NewWorkerMetrics()
	stopMetrics, err := c.serveMetrics(metrics, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	c.conn.metrics, c.conn.sdkLog = metrics.SDKHandler(), sdks
	c.runsWorker = true
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	w, err := startWorker(ctx, s.client, wo)
	if err != nil {
		return err
	}
	defer w.Stop()
	log.Info(fmt.Sprintf("worker on %s, task queue %s", s.address, wo.queue), "address", s.address, "taskQueue", wo.queue)
	<-ctx.Done()
	return nil
}
