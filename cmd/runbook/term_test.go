package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// onTerminal runs the binary with its stdout and stderr on a
// pseudo-terminal, env as its whole environment, and returns what the
// terminal showed.
func onTerminal(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	_, err = io.Copy(&out, f)
	var pe *os.PathError
	if err != nil && !(errors.As(err, &pe) && errors.Is(pe.Err, syscall.EIO)) { // EIO: the child closed the terminal
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return out.String()
}

// plainEnv is the environment without the locale, colour and terminal
// settings of the caller's, plus extra.
func plainEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LANG", "LC_ALL", "LC_CTYPE", "NO_COLOR", "TERM", "GITHUB_ACTIONS":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// TestColorAndSymbols: colour and Unicode symbols on a UTF-8 terminal
// only; NO_COLOR, --color never and TERM=dumb turn colour off, --color
// always turns it on anywhere; a locale that is not UTF-8 gets ASCII
// marks. replay prints a green ✓ per history that replays.
func TestColorAndSymbols(t *testing.T) {
	history := "../../engine/interp/testdata/histories/aws-outputs-routing.json"
	const green, mark, ascii = "\x1b[32m", "✓ ", "ok "
	tests := []struct {
		name     string
		terminal bool
		env      []string
		flags    []string
		color    bool
		symbol   string
	}{
		{"terminal", true, []string{"LANG=C.UTF-8", "TERM=xterm"}, nil, true, mark},
		{"NO_COLOR", true, []string{"LANG=C.UTF-8", "TERM=xterm", "NO_COLOR=1"}, nil, false, mark},
		{"NO_COLOR empty is unset", true, []string{"LANG=C.UTF-8", "TERM=xterm", "NO_COLOR="}, nil, true, mark},
		{"--color never", true, []string{"LANG=C.UTF-8", "TERM=xterm"}, []string{"--color", "never"}, false, mark},
		{"--color always beats NO_COLOR", true, []string{"LANG=C.UTF-8", "TERM=xterm", "NO_COLOR=1"}, []string{"--color", "always"}, true, mark},
		{"TERM=dumb", true, []string{"LANG=C.UTF-8", "TERM=dumb"}, nil, false, mark},
		{"C locale", true, []string{"LANG=C", "TERM=xterm"}, nil, true, ascii},
		{"no locale", true, []string{"TERM=xterm"}, nil, true, ascii},
		{"LC_ALL wins over LANG", true, []string{"LANG=en_US.UTF-8", "LC_ALL=POSIX", "TERM=xterm"}, nil, true, ascii},
		{"LC_CTYPE utf8", true, []string{"LANG=C", "LC_CTYPE=de_DE.utf8", "TERM=xterm"}, nil, true, mark},
		{"pipe", false, []string{"LANG=C.UTF-8", "TERM=xterm"}, nil, false, ascii},
		{"pipe, --color always", false, []string{"LANG=C.UTF-8", "TERM=xterm"}, []string{"--color", "always"}, true, mark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"replay", history}, tt.flags...)
			var out string
			if tt.terminal {
				out = onTerminal(t, plainEnv(tt.env...), args...)
			} else {
				out = e2eRun(t, ".", plainEnv(tt.env...), args...).stdout
			}
			if got := strings.Contains(out, "\x1b["); got != tt.color {
				t.Errorf("colour %v, want %v:\n%q", got, tt.color, out)
			}
			want := tt.symbol + "/" // replay names the history by its absolute path
			if tt.color {
				want = green + strings.TrimSpace(tt.symbol) + "\x1b[0m /"
			}
			if !strings.Contains(out, want) {
				t.Errorf("want %q in:\n%q", want, out)
			}
		})
	}
}
