package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"github.com/aws/smithy-go/logging"
	"github.com/runbook-dev/runbook/engine/embedded"
	"go.temporal.io/sdk/log"
)

// logFlags are the log settings of the long-running commands (server,
// worker, serve), which log to stderr through slog: their own lines, and
// the warnings and errors of the Temporal SDK, the AWS SDK and the
// embedded Temporal server (all their lines with --log-level debug).
type logFlags struct {
	LogLevel  string `name:"log-level" enum:"debug,info,warn,error" default:"info" help:"Lowest level logged: ${enum}; debug adds the Temporal and AWS SDKs' debug lines."`
	LogFormat string `name:"log-format" enum:"text,json" default:"text" help:"Log format: ${enum}."`
}

// level is --log-level as a slog.Level.
func (f logFlags) level() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(f.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// loggers returns the process's logger, writing to w, and the one it
// gives the SDKs and the embedded server: the same, from warnings up
// unless --log-level is debug.
func (f logFlags) loggers(w io.Writer) (own, sdks *slog.Logger) {
	opts := &slog.HandlerOptions{Level: f.level()}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if f.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	own = slog.New(h)
	if f.level() == slog.LevelDebug {
		return own, own
	}
	return own, embedded.WarnOnly(slog.New(h))
}

// temporalLogger is the Temporal SDK's logger: l, its lines marked
// component=temporal-sdk; nil l gives quietLogger's.
func temporalLogger(l *slog.Logger) log.Logger {
	if l == nil {
		l = quietLogger()
	}
	return log.NewStructuredLogger(l.With("component", "temporal-sdk"))
}

// quietLogger is the SDK's logger in the short-lived commands (run,
// start, list...): warnings and errors on stderr, as text, but for the
// failures of activities, which `run` prints as failed steps.
func quietLogger() *slog.Logger {
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	return slog.New(dropMessages{h, quietMessages})
}

// quietMessages are the SDK's messages the short-lived commands drop.
var quietMessages = []string{"Activity error."}

// dropMessages drops the records whose message is one of msgs.
type dropMessages struct {
	slog.Handler
	msgs []string
}

func (h dropMessages) Handle(ctx context.Context, r slog.Record) error {
	if slices.Contains(h.msgs, r.Message) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h dropMessages) WithAttrs(attrs []slog.Attr) slog.Handler {
	return dropMessages{h.Handler.WithAttrs(attrs), h.msgs}
}

func (h dropMessages) WithGroup(name string) slog.Handler {
	return dropMessages{h.Handler.WithGroup(name), h.msgs}
}

// awsLogger adapts l to the AWS SDK's (smithy-go) logger: its warnings
// at warn, its debug lines (retries with --log-level debug) at debug; nil
// l logs nothing.
func awsLogger(l *slog.Logger) logging.Logger {
	if l == nil {
		return logging.Nop{}
	}
	return awsSlog{l.With("component", "aws-sdk"), context.Background()}
}

// awsSlog is a smithy-go logging.Logger (and ContextLogger) over slog.
type awsSlog struct {
	l   *slog.Logger
	ctx context.Context
}

// Logf logs at the level of the classification: Warn or Debug (the only
// two smithy-go has); any other at info.
func (a awsSlog) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelInfo
	switch c {
	case logging.Warn:
		level = slog.LevelWarn
	case logging.Debug:
		level = slog.LevelDebug
	}
	if a.l.Enabled(a.ctx, level) {
		a.l.Log(a.ctx, level, fmt.Sprintf(format, v...))
	}
}

// WithContext returns a logger that logs with ctx.
func (a awsSlog) WithContext(ctx context.Context) logging.Logger { return awsSlog{a.l, ctx} }
