package main

import (
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/runbook-dev/runbook/engine"
)

// style is how one output stream shows statuses: in colour or not, with
// Unicode symbols or their ASCII stand-ins. newStyle is the one place that
// decides; every printer asks it.
type style struct {
	color   bool // ANSI colours on status words and marks
	unicode bool // ▶ ✓ ✗ ⏸ rather than > ok FAIL ||
}

// newStyle decides for w under --color mode (auto, always, never):
// colour on a terminal unless NO_COLOR is set to anything (no-color.org)
// or TERM is dumb, always with --color always, never with --color never;
// symbols on a terminal (or with --color always) whose locale is UTF-8.
func newStyle(w io.Writer, mode string) style {
	tty := isTerminal(w)
	var s style
	switch mode {
	case "always":
		s.color = true
	case "never":
		s.color = false
	default:
		s.color = tty && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	}
	s.unicode = (tty || mode == "always") && utf8Locale()
	return s
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// utf8Locale reports whether the locale's character set is UTF-8: the
// first of LC_ALL, LC_CTYPE and LANG that is set names it, as setlocale
// picks them.
func utf8Locale() bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := os.Getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}

// marks are the symbols of step statuses: Unicode, then ASCII.
var marks = map[string][2]string{
	engine.StatusRunning:   {"▶", ">"},
	engine.StatusWaiting:   {"⏸", "||"},
	engine.StatusSucceeded: {"✓", "ok"},
	engine.StatusFailed:    {"✗", "FAIL"},
	engine.StatusTimedOut:  {"✗", "FAIL"},
	engine.StatusSkipped:   {"↷", "-"},
	engine.StatusCancelled: {"■", "x"},
}

// ANSI colours of status words; every code has the same length, so
// columns of coloured words stay aligned.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	grey   = "\x1b[90m"
	reset  = "\x1b[0m"
)

// colors maps status words, the engine's and Temporal's, to colours.
var colors = map[string]string{
	engine.StatusSucceeded: green, "completed": green, "valid": green,
	engine.StatusFailed: red, engine.StatusTimedOut: red, "terminated": red, "timedout": red, "error": red,
	engine.StatusWaiting: yellow, engine.StatusCancelled: yellow, "canceled": yellow, "warning": yellow,
	engine.StatusRunning: cyan,
	engine.StatusSkipped: grey,
}

// mark is the symbol of a step status, coloured as its word.
func (s style) mark(status string) string {
	m, ok := marks[status]
	if !ok {
		return "?"
	}
	if s.unicode {
		return s.paint(status, m[0])
	}
	return s.paint(status, m[1])
}

// word is a status word, coloured by what it says.
func (s style) word(status string) string { return s.paint(status, status) }

// paint colours text as status's word, when colour is on.
func (s style) paint(status, text string) string {
	c, ok := colors[status]
	if !s.color || !ok {
		return text
	}
	return c + text + reset
}

// symbol is a plain symbol (not a status) with its ASCII stand-in.
func (s style) symbol(unicode, ascii string) string {
	if s.unicode {
		return unicode
	}
	return ascii
}
