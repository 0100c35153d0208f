package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
)

// defaultAddress is where `runbook server` listens and other commands look.
const defaultAddress = "127.0.0.1:7233"

// exitUnreachable is the exit code when Temporal cannot be reached.
const exitUnreachable = 3

// unreachableError is a Temporal server that does not answer: exit 3.
type unreachableError struct{ msg string }

func (e *unreachableError) Error() string { return e.msg }

// conn holds the Temporal connection flags, named as the Temporal CLI's.
type conn struct {
	Address      string `help:"Temporal frontend address, or several as HOST:PORT,HOST:PORT, or dns:///NAME:PORT (default: the profile's, else the runbook server on ${defaultAddress}, else an embedded one for run)." env:"TEMPORAL_ADDRESS"`
	Namespace    string `help:"Temporal namespace (default: the profile's, else default)." env:"TEMPORAL_NAMESPACE"`
	tlsFlags     `embed:""`
	profileFlags `embed:""`
	StateDir     string `help:"State directory of the embedded server (default: $XDG_STATE_HOME/runbook)." env:"RUNBOOK_STATE_DIR" type:"path"`
	codecFlags   `embed:""`
	// embedded is the worker an embedded server runs with; metrics, when
	// set, receives the SDK's metrics; sdkLog, when set, the SDK's logs
	// (else only its warnings reach stderr: see quietLogger).
	embedded workerOptions
	metrics  client.MetricsHandler
	sdkLog   *slog.Logger
	// runsWorker is set by the commands that run a worker: they need the
	// key every worker shares (requireKey).
	runsWorker bool
	// local is set to dial an embedded server: plain, no profile.
	local bool
}

// options builds the SDK client options from the flags, the TEMPORAL_*
// variables and the profile, for address.
func (c *conn) options(address string) (client.Options, error) {
	opts, err := c.profileOptions()
	if err != nil {
		return opts, err
	}
	opts.HostPort, opts.Namespace = address, c.Namespace
	if err := frontends(&opts, address); err != nil {
		return opts, err
	}
	opts.Logger = temporalLogger(c.sdkLog)
	opts.Identity = processIdentity()
	if c.metrics != nil {
		opts.MetricsHandler = c.metrics
	}
	opts.Interceptors = tracingInterceptors()
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return opts, err
	}
	opts.DataConverter, opts.FailureConverter = engine.DataConverter(codec), engine.FailureConverter(codec)
	return opts, nil
}

// dial connects to address and checks that it answers, within seconds.
func (c *conn) dial(ctx context.Context, address string) (client.Client, error) {
	opts, err := c.options(address)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cl, err := client.DialContext(dctx, opts)
	if err != nil {
		return nil, &unreachableError{msg: fmt.Sprintf("cannot reach Temporal at %s: %v", address, errors.Unwrap(err))}
	}
	return cl, nil
}

// listening reports whether something accepts connections at address.
func listening(address string) bool {
	nc, err := net.DialTimeout("tcp", address, 300*time.Millisecond)
	if err != nil {
		return false
	}
	nc.Close()
	return true
}

// session is a connection to Temporal, and what must be stopped with it:
// an embedded server and its worker when the command started them.
type session struct {
	client   client.Client
	address  string
	embedded *embedded.Server
	stateDir string
	worker   worker.Worker
}

// connect dials --address, else the runbook server on the default address.
// With embed, and nothing at the default address, it starts an embedded
// server and a worker in this process instead.
func (c *conn) connect(ctx context.Context, embed bool) (*session, error) {
	if err := c.settle(); err != nil {
		return nil, err
	}
	if err := c.requireKey(); err != nil {
		return nil, err
	}
	address := c.Address
	if address == "" && (!embed || listening(defaultAddress)) {
		address = defaultAddress
		if !listening(address) {
			return nil, &unreachableError{msg: "no runbook server at " + defaultAddress + ": start one with `runbook server` (or pass --address)"}
		}
	}
	if address != "" {
		cl, err := c.dial(ctx, address)
		if err != nil {
			return nil, err
		}
		return &session{client: cl, address: address}, nil
	}
	return c.embed(ctx, true)
}

// embed starts an embedded server and a worker in this process.
func (c *conn) embed(ctx context.Context, _ bool) (*session, error) {
	dir := c.StateDir
	if dir == "" {
		var err error
		if dir, err = embedded.DefaultStateDir(); err != nil {
			return nil, err
		}
	}
	srv, err := embedded.Start(ctx, embedded.Config{StateDir: dir, Namespace: c.Namespace, Logger: c.embedded.sdkLog})
	if err != nil {
		return nil, err
	}
	c.local = true
	cl, err := c.dial(ctx, srv.Address())
	if err != nil {
		srv.Stop()
		return nil, err
	}
	s := &session{client: cl, address: srv.Address(), embedded: srv, stateDir: dir}
	if s.worker, err = startWorker(ctx, cl, c.embedded); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *session) close() {
	if s.worker != nil {
		s.worker.Stop()
	}
	s.client.Close()
	if s.embedded != nil {
		s.embedded.Stop()
	}
}
