package embedded

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// minLevel passes on only the records at or above min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}

// WarnOnly wraps l so that only warnings and errors get through.
func WarnOnly(l *slog.Logger) *slog.Logger {
	return slog.New(minLevel{l.Handler(), slog.LevelWarn})
}

// serverLogger adapts a *slog.Logger to the Temporal server's log.Logger, at warn
// level: debug and info are dropped before their tags are looked at.
type serverLogger struct {
	l *slog.Logger
	// quiet is set when Stop begins: the warnings of a server shutting down
	// (pollers and connections cut off) are noise. Errors still get through.
	quiet *atomic.Bool
}

var (
	_ log.Logger      = serverLogger{}
	_ log.WithLogger  = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
)

// benignWarnings start the warnings that the embedded setup causes on purpose.
var benignWarnings = []string{
	"HTTP API port has not been set", // no HTTP API (nor Nexus endpoints): one port less
}

func newServerLogger(l *slog.Logger) serverLogger {
	return serverLogger{WarnOnly(l).With("component", "temporal"), new(atomic.Bool)}
}

func (serverLogger) Debug(string, ...tag.Tag) {}
func (serverLogger) Info(string, ...tag.Tag)  {}

func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// Panic logs and panics, as the server expects.
func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal logs and panics instead of exiting the process: a panic during Start is
// returned as an error, elsewhere it still stops the process, with a stack trace.
func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic("temporal server: " + msg)
}

// With returns a logger that adds tags to every record.
func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{slog.New(s.l.Handler().WithAttrs(attrs(tags))), s.quiet}
}

// SLog is used by the server parts that log through slog; it is filtered at warn too.
func (s serverLogger) SLog() *slog.Logger { return s.l }

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	if level < slog.LevelError {
		if s.quiet.Load() {
			return
		}
		for _, w := range benignWarnings {
			if strings.HasPrefix(msg, w) {
				return
			}
		}
	}
	s.l.LogAttrs(ctx, level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, len(tags))
	for i, t := range tags {
		out[i] = slog.Any(t.Key(), t.Value())
	}
	return out
}

// sdkLogger is the logger of the SDK client used to configure the server.
func sdkLogger(l *slog.Logger) sdklog.Logger {
	return sdklog.NewStructuredLogger(WarnOnly(l).With("component", "temporal-client"))
}
