package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/runbook-dev/runbook/engine/interp"
)

// auditLog appends refused approval decisions to a file, one JSON object
// per line, and says each on the worker's stderr: through log when set
// (the long-running commands), else as a plain line to echo.
type auditLog struct {
	mu   sync.Mutex
	f    *os.File
	echo io.Writer
	log  *slog.Logger
	// trail, when set (--archive), also receives every refusal.
	trail atomic.Pointer[auditTrail]
}

// openAudit opens (creating) the audit log at path for appending.
func openAudit(path string, echo io.Writer) (*auditLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &auditLog{f: f, echo: echo}, nil
}

// Refused records one refusal; a write error goes to stderr, as the
// decision was refused either way.
func (a *auditLog) Refused(r interp.Refusal) {
	if t := a.trail.Load(); t != nil {
		t.add(r)
	}
	line, _ := json.Marshal(r)
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.f.Write(append(line, '\n'))
	if a.log != nil {
		if err != nil {
			a.log.Error("audit log", "error", err)
		}
		a.log.Warn("refused", "decision", r.Decision, "execution", r.Execution, "step", r.Step, "identity", r.Identity, "reason", r.Reason)
		return
	}
	if err != nil {
		fmt.Fprintf(a.echo, "audit log: %v\n", err)
	}
	fmt.Fprintf(a.echo, "refused %s of %s step %s by %s: %s\n", r.Decision, r.Execution, r.Step, r.Identity, r.Reason)
}

func (a *auditLog) Close() error { return a.f.Close() }
