package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
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
	Address     string `help:"Temporal frontend address (default: the runbook server on ${defaultAddress}, else an embedded one for run)." env:"TEMPORAL_ADDRESS"`
	Namespace   string `help:"Temporal namespace." env:"TEMPORAL_NAMESPACE" default:"default"`
	TLSCertPath string `name:"tls-cert-path" help:"Client certificate for mTLS." env:"TEMPORAL_TLS_CLIENT_CERT_PATH" type:"path"`
	TLSKeyPath  string `name:"tls-key-path" help:"Client key for mTLS." env:"TEMPORAL_TLS_CLIENT_KEY_PATH" type:"path"`
	TLSCAPath   string `name:"tls-ca-path" help:"CA certificate of the server." env:"TEMPORAL_TLS_SERVER_CA_CERT_PATH" type:"path"`
	APIKey      string `name:"api-key" help:"API key (enables TLS)." env:"TEMPORAL_API_KEY"`
	StateDir    string `help:"State directory of the embedded server (default: $XDG_STATE_HOME/runbook)." env:"RUNBOOK_STATE_DIR" type:"path"`
	codecFlags  `embed:""`
	// embedded is the worker an embedded server runs with; metrics, when
	// set, receives the SDK's metrics; sdkLog, when set, the SDK's logs
	// (else only its warnings reach stderr: see quietLogger).
	embedded workerOptions
	metrics  client.MetricsHandler
	sdkLog   *slog.Logger
}

// options builds the SDK client options from the flags.
func (c *conn) options(address string) (client.Options, error) {
	opts := client.Options{
		HostPort:  address,
		Namespace: c.Namespace,
		Logger:    temporalLogger(c.sdkLog),
		Identity:  identity(),
	}
	if c.metrics != nil {
		opts.MetricsHandler = c.metrics
	}
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return opts, err
	}
	opts.DataConverter, opts.FailureConverter = engine.DataConverter(codec), engine.FailureConverter(codec)
	if c.TLSCertPath != "" || c.TLSCAPath != "" || c.APIKey != "" {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if c.TLSCertPath != "" {
			cert, err := tls.LoadX509KeyPair(c.TLSCertPath, c.TLSKeyPath)
			if err != nil {
				return opts, usagef("--tls-cert-path/--tls-key-path: %v", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		if c.TLSCAPath != "" {
			pem, err := os.ReadFile(c.TLSCAPath)
			if err != nil {
				return opts, usagef("--tls-ca-path: %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return opts, usagef("--tls-ca-path: no certificate in %s", c.TLSCAPath)
			}
			cfg.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = cfg
	}
	if c.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(c.APIKey)
	}
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
