package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// The ApplicationError types of the script activity's failures.
const (
	ErrScriptsDisabled = "ScriptsDisabled" // the worker was started without scripts
	ErrExitCode        = "ExitCode"        // the program exited with a non-zero status
	ErrScript          = "ScriptError"     // the program could not be run
)

// MaxScriptOutput is how much of stdout and of stderr each the script
// activity keeps; the rest is read and dropped.
const MaxScriptOutput = 1 << 20

// scriptEnvBase lists the worker's variables a script sees (when set);
// HOME and TMPDIR are the script's own directory.
var scriptEnvBase = []string{"PATH", "LANG"}

// scriptWaitDelay is how long the script activity waits for output once
// the program has exited or been killed: processes it left behind that
// still hold its stdout or stderr are then killed.
const scriptWaitDelay = 2 * time.Second

// stderrTail is how much of stderr's end a failure's message shows.
const stderrTail = 500

// WithScripts lets the Script activity run programs; without it every
// script step fails (the worker's --allow-scripts).
func WithScripts() ActivitiesOption {
	return func(a *Activities) { a.scripts = true }
}

// Script runs the engine.ScriptRequest in c.Input, when the activities were
// built WithScripts, and evaluates c's outputs on `result`: stdout, stderr
// (each cut at MaxScriptOutput) and exitCode.
//
// The command is an argv run directly, with no shell unless its program
// is one; the program is looked up in the worker's PATH. Its environment
// is NOT the worker's, which holds AWS credentials: only PATH and LANG
// are taken from the worker (when set), HOME and TMPDIR are a new empty
// directory it runs in (removed after it), and the request's Env is added
// to them. A worker running as root runs it as an unprivileged user
// (nobody, unless WithScriptUser says another), so the worker's files and
// its environment in /proc are out of its reach; a worker that is not
// root runs it as itself: it can read what the worker can. It runs in a
// process group of its own: when the activity ends (timeout,
// cancellation) the whole group is killed with SIGKILL and Script returns
// ctx's error, as it does for processes the program leaves behind holding
// its output.
//
// A non-zero exit fails with a non-retryable ErrExitCode error whose
// message ends with stderr's last lines.
func (a *Activities) Script(ctx context.Context, c engine.Call) (engine.CallResult, error) {
	if !a.scripts {
		return engine.CallResult{}, nonRetryable(ErrScriptsDisabled,
			"this worker does not run scripts: start it with --allow-scripts")
	}
	r, err := scriptRequest(c.Input)
	if err != nil {
		return engine.CallResult{}, err
	}
	user, err := a.scriptUser()
	if err != nil {
		return engine.CallResult{}, nonRetryable(ErrScript, err.Error())
	}
	dir, err := scriptDir(user)
	if err != nil {
		return engine.CallResult{}, temporal.NewApplicationError("a directory for the script: "+err.Error(), ErrScript)
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, r.Command[0], r.Command[1:]...)
	cmd.Dir = dir
	cmd.Env = scriptEnv(r.Env, dir)
	if r.Stdin != "" {
		cmd.Stdin = strings.NewReader(r.Stdin)
	}
	stdout, stderr := &capWriter{max: MaxScriptOutput}, &capWriter{max: MaxScriptOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	ownGroup(cmd, user)
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = scriptWaitDelay
	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return engine.CallResult{}, ctx.Err()
		}
		return engine.CallResult{}, startError(r.Command[0], err)
	}
	stop := keepAlive(ctx)
	err = cmd.Wait()
	stop()
	if errors.Is(err, exec.ErrWaitDelay) {
		_ = killGroup(cmd) // left behind, holding the output
		err = nil
	}
	if ctx.Err() != nil {
		return engine.CallResult{}, ctx.Err()
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return engine.CallResult{}, temporal.NewApplicationError(fmt.Sprintf("running %s: %v", r.Command[0], err), ErrScript)
	}
	code, how := exitStatus(cmd.ProcessState)
	if code != 0 {
		msg := "command " + how
		if tail := strings.TrimSpace(string(trimUTF8Start(stderr.tail))); tail != "" {
			msg += "; stderr: " + tail
		}
		return engine.CallResult{}, nonRetryable(ErrExitCode, msg)
	}
	result := map[string]any{"stdout": string(stdout.buf), "stderr": string(stderr.buf), "exitCode": int64(code)}
	outs, err := outputs(c, callEnv(c, result))
	if err != nil {
		return engine.CallResult{}, err
	}
	return engine.CallResult{Outputs: outs, Seal: c.Seal}, nil
}

// scriptRequest decodes a Call's Input into a ScriptRequest with a
// program.
func scriptRequest(in map[string]any) (engine.ScriptRequest, error) {
	var w struct {
		Command []text          `json:"command"`
		Env     map[string]text `json:"env"`
		Stdin   text            `json:"stdin"`
	}
	if err := decodeInput(in, &w); err != nil {
		return engine.ScriptRequest{}, nonRetryable(ErrInvalidInput, "script input: "+err.Error())
	}
	if len(w.Command) == 0 || w.Command[0] == "" {
		return engine.ScriptRequest{}, nonRetryable(ErrInvalidInput, "script: the command is empty: write it as [program, arg, ...]")
	}
	r := engine.ScriptRequest{Command: make([]string, len(w.Command)), Stdin: string(w.Stdin)}
	for i, s := range w.Command {
		r.Command[i] = string(s)
	}
	if len(w.Env) > 0 {
		r.Env = make(map[string]string, len(w.Env))
		for k, v := range w.Env {
			r.Env[k] = string(v)
		}
	}
	return r, nil
}

// scriptEnv is a script's environment: scriptEnvBase from the worker,
// HOME and TMPDIR its directory, then env, sorted; never nil (nil would be
// the worker's whole environment).
func scriptEnv(env map[string]string, dir string) []string {
	vars := map[string]string{"HOME": dir, "TMPDIR": dir}
	for _, k := range scriptEnvBase {
		if v, ok := os.LookupEnv(k); ok {
			vars[k] = v
		}
	}
	for k, v := range env {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// startError is why program could not start: not found, not executable
// (both non-retryable) or something else.
func startError(program string, err error) error {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return nonRetryable(ErrInvalidInput, fmt.Sprintf("script: program %q not found in the worker's PATH", program))
	case errors.Is(err, fs.ErrPermission), errors.Is(err, exec.ErrDot):
		return nonRetryable(ErrInvalidInput, fmt.Sprintf("script: cannot run %q: %v", program, err))
	}
	return temporal.NewApplicationError(fmt.Sprintf("script: starting %q: %v", program, err), ErrScript)
}

// capWriter keeps the first max bytes written to it (cut at a UTF-8
// boundary) and the last stderrTail, and takes the rest without keeping
// it, so the writer never blocks.
type capWriter struct {
	max  int
	buf  []byte
	full bool
	tail []byte
}

func (w *capWriter) Write(p []byte) (int, error) {
	if !w.full {
		n := min(len(p), w.max-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		if n < len(p) {
			w.buf, w.full = cutUTF8(w.buf, w.max), true
		}
	}
	w.tail = append(w.tail, p[max(0, len(p)-stderrTail):]...)
	if len(w.tail) > stderrTail {
		w.tail = w.tail[len(w.tail)-stderrTail:]
	}
	return len(p), nil
}

// cutUTF8 returns b's first n bytes or fewer, not splitting a UTF-8
// sequence.
func cutUTF8(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for i := n; i > max(0, n-utf8.UTFMax); i-- {
		if utf8.RuneStart(b[i]) {
			return b[:i]
		}
	}
	return b[:n]
}

// trimUTF8Start drops the continuation bytes b may start with.
func trimUTF8Start(b []byte) []byte {
	for i := 0; i < len(b) && i < utf8.UTFMax; i++ {
		if utf8.RuneStart(b[i]) {
			return b[i:]
		}
	}
	return b
}

// decodeInput decodes a Call's Input (data from JSON, or from the plan)
// into dst, a struct of the request's fields: an unknown field is an
// error, numbers keep their digits.
func decodeInput(in map[string]any, dst any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

// text is a string field of a request, which also takes a number or a
// bool as its JSON text.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == '"':
		return json.Unmarshal(b, (*string)(t))
	case b[0] == '[' || b[0] == '{':
		return fmt.Errorf("a %s where a string is expected", map[byte]string{'[': "list", '{': "map"}[b[0]])
	case string(b) != "null":
		*t = text(b)
	}
	return nil
}

// statuses is the expect field: one HTTP status or a list of them.
type statuses []int

func (s *statuses) UnmarshalJSON(b []byte) error {
	var list []json.Number
	if b[0] == '[' {
		if err := json.Unmarshal(b, &list); err != nil {
			return fmt.Errorf("expect: %w", err)
		}
	} else if string(b) != "null" {
		list = []json.Number{json.Number(b)}
	}
	*s = (*s)[:0]
	for _, n := range list {
		f, err := n.Float64()
		if err != nil || f != math.Trunc(f) || f < 100 || f > 599 {
			return fmt.Errorf("expect: %s is no HTTP status (100-599)", n)
		}
		*s = append(*s, int(f))
	}
	return nil
}
