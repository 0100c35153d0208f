package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	"go.temporal.io/server/temporal"
)

const (
	// DefaultNamespace is the namespace used when Config.Namespace is empty.
	DefaultNamespace = "default"
	// DefaultRetention is the namespace retention used when Config.Retention is zero.
	DefaultRetention = 30 * 24 * time.Hour
	// MinRetention is the shortest retention the server accepts for a local namespace.
	MinRetention = time.Hour

	dbFileName   = "temporal.db"
	lockFileName = "server.lock"
	loopback     = "127.0.0.1"
)

// Config configures an embedded server. The zero value of every field but StateDir
// has a useful default.
type Config struct {
	// StateDir holds the data: StateDir/temporal.db (SQLite, WAL journal) and a lock
	// file. It is created with mode 0700 when missing.
	StateDir string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free port.
	Port int
	// Namespace is the namespace to ensure; empty means DefaultNamespace.
	Namespace string
	// Retention is the namespace's retention of closed executions; zero means
	// DefaultRetention. It must be at least MinRetention.
	Retention time.Duration
	// UIPort, when not 0, serves the Temporal Web UI on 127.0.0.1:UIPort.
	UIPort int
	// UICodec, when set, is the Web UI's remote codec endpoint (runbook
	// serve's /codec, which must name the UI's origin in --codec-origin):
	// the browser sends it the page session's cookie.
	UICodec string
	// Logger receives the server's own logs at warn level and above; nil discards them.
	Logger *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	cfg      Config
	addr     string
	uiAddr   string
	temporal temporal.Server
	logger   serverLogger
	ui       *uiserver.Server
	uiDone   chan error
	lock     *dirLock

	stopOnce sync.Once
	stopErr  error
}

// Start starts an embedded Temporal server on cfg.StateDir and returns once its
// frontend accepts connections and the namespace, retention and search attributes
// are in place. It refuses a state directory that another process is using or that
// a newer build has written. Stop the returned server to release its ports, the
// state directory and nearly all its goroutines (the Temporal server leaves a few
// dozen behind, and keeps its SQLite connection open for the process).
//
// Starting the Temporal services does not watch ctx (it takes a few hundred
// milliseconds); ctx bounds the rest.
//
// Start names the build for the SDK (worker.SetBinaryChecksum, process-wide) from
// its build info, so that no SDK worker without a BuildID hashes the executable.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("create state dir: %w", err)
	}
	lock, err := lockDir(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, lock: lock}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()

	dbPath := filepath.Join(cfg.StateDir, dbFileName)
	if err := prepareState(ctx, cfg.StateDir, dbPath); err != nil {
		return nil, err
	}
	sqlCfg := sqlConfig(dbPath)
	if err := createNamespace(sqlCfg, cfg.Namespace, cfg.Retention); err != nil {
		return nil, err
	}

	ports, err := allocatePorts(cfg.Port)
	if err != nil {
		return nil, err
	}
	s.addr = ports.frontendAddr()
	s.logger = newServerLogger(cfg.Logger)
	s.temporal, err = newTemporal(ports, sqlCfg, s.logger)
	if err != nil {
		return nil, err
	}
	if err := startTemporal(s.temporal); err != nil {
		s.temporal = nil // a failed Start leaves nothing to stop
		return nil, err
	}
	if err := s.configure(ctx); err != nil {
		return nil, err
	}
	if cfg.UIPort != 0 {
		if err := s.startUI(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// normalize applies defaults and checks the configuration.
func (c *Config) normalize() error {
	if c.StateDir == "" {
		return errors.New("server: no state dir")
	}
	dir, err := filepath.Abs(c.StateDir)
	if err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	if strings.ContainsAny(dir, "?#") {
		// The SQLite plugin puts the path in a file: URI without escaping it.
		return fmt.Errorf("state dir %s: the path must not contain '?' or '#'", dir)
	}
	c.StateDir = dir
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("port %d out of range", c.Port)
	}
	if c.UIPort < 0 || c.UIPort > 65535 {
		return fmt.Errorf("UI port %d out of range", c.UIPort)
	}
	if c.Port != 0 && c.Port == c.UIPort {
		return fmt.Errorf("the frontend and the UI cannot share port %d", c.Port)
	}
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.Retention < MinRetention {
		return fmt.Errorf("retention %v is below the minimum of %v", c.Retention, MinRetention)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// startTemporal starts the services, turning a panic raised on this goroutine
// (the server's Panic and Fatal logs panic here) into an error.
func startTemporal(t temporal.Server) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("start temporal server: %v", r)
		}
	}()
	if err := t.Start(); err != nil {
		_ = t.Stop()
		return fmt.Errorf("start temporal server: %w", err)
	}
	return nil
}

// Address returns the frontend's gRPC address, "127.0.0.1:PORT".
func (s *Server) Address() string { return s.addr }

// UIAddress returns the Web UI's address, "127.0.0.1:PORT", or "" when there is no UI.
func (s *Server) UIAddress() string { return s.uiAddr }

// Namespace returns the namespace the server was started with.
func (s *Server) Namespace() string { return s.cfg.Namespace }

// Stop stops the UI and the Temporal services and releases the state directory.
// It is safe to call more than once; later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.ui != nil {
			s.ui.Stop()
			if err := <-s.uiDone; err != nil {
				errs = append(errs, fmt.Errorf("web UI: %w", err))
			}
		}
		if s.temporal != nil {
			s.logger.quiet.Store(true)
			if err := s.temporal.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop temporal server: %w", err))
			}
		}
		if s.lock != nil {
			if err := s.lock.release(); err != nil {
				errs = append(errs, err)
			}
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// DefaultStateDir returns the default state directory: $XDG_STATE_HOME/runbook when
// XDG_STATE_HOME is set to an absolute path, else ~/.local/state/runbook.
func DefaultStateDir() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "runbook"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state dir: %w", err)
	}
	return filepath.Join(home, ".local", "state", "runbook"), nil
}
