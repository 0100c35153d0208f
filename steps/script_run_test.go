//go:build unix

package steps

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
)

// cmd is a command as data.
func cmd(argv ...any) map[string]any { return map[string]any{"command": argv} }

// workerEnv is what `env` prints in a script given extra, but for HOME
// and TMPDIR: the worker's PATH and LANG, then extra.
func workerEnv(extra ...string) string {
	vars := extra
	for _, k := range scriptEnvBase {
		if v, ok := os.LookupEnv(k); ok {
			vars = append(vars, k+"="+v)
		}
	}
	slices.Sort(vars)
	return strings.Join(vars, "\n") + "\n"
}

// TestScriptEnv: the worker's environment is not the script's: it has
// the worker's PATH and LANG, its own directory as HOME and TMPDIR, and
// the step's env.
func TestScriptEnv(t *testing.T) {
	t.Setenv("RUNBOOK_TEST_SECRET", "s3cret")
	a := NewActivities(aws.Config{}, WithScripts())
	res, err := run(t, a, engine.ActivityScript, engine.Call{Step: "s",
		Input: map[string]any{"command": []any{"env"}, "env": map[string]any{"FOO": "1"}}, Outputs: outs("out=result.stdout")})
	if err != nil {
		t.Fatal(err)
	}
	var rest []string
	own := map[string]string{}
	for _, l := range strings.SplitAfter(res.Outputs["out"].(string), "\n") {
		if k, v, _ := strings.Cut(strings.TrimSuffix(l, "\n"), "="); k == "HOME" || k == "TMPDIR" {
			own[k] = v
		} else if l != "" {
			rest = append(rest, l)
		}
	}
	if got, want := strings.Join(rest, ""), workerEnv("FOO=1"); got != want {
		t.Errorf("environment\n got %q\nwant %q", got, want)
	}
	if own["HOME"] != own["TMPDIR"] || !strings.HasPrefix(own["HOME"], filepath.Join(os.TempDir(), "runbook-script-")) {
		t.Errorf("HOME and TMPDIR: %v, want the script's own directory", own)
	}
}

func TestScript(t *testing.T) {
	t.Setenv("RUNBOOK_TEST_SECRET", "s3cret")
	a := NewActivities(aws.Config{}, WithScripts())
	stdout := outs("out=result.stdout")
	tests := []struct {
		name string
		in   map[string]any
		outs []*engine.PlanOutput
		want string
	}{
		{"argv, no shell", cmd("echo", "$HOME", "a b", "*"),
			outs("out=result.stdout", "err=result.stderr", "code=result.exitCode", "zero=result.exitCode == 0 && result.exitCode + 1 == 1"),
			`{"code":0,"err":"","out":"$HOME a b *\n","zero":true}`},
		{"a shell when asked", map[string]any{"command": []any{"sh", "-c", `echo "$FOO"; echo err >&2`}, "env": map[string]any{"FOO": "b a r"}},
			outs("out=result.stdout", "err=result.stderr"), `{"err":"err\n","out":"b a r\n"}`},
		{"env overrides", map[string]any{"command": []any{"sh", "-c", `echo "$HOME ${RUNBOOK_TEST_SECRET-unset}"`}, "env": map[string]any{"HOME": "/h"}},
			stdout, `{"out":"/h unset\n"}`},
		{"stdin", map[string]any{"command": []any{"cat"}, "stdin": "hello\nworld"}, stdout, `{"out":"hello\nworld"}`},
		{"no stdin", cmd("cat"), stdout, `{"out":""}`},
		{"numbers as text", map[string]any{"command": []any{"sh", "-c", `echo $1 $N`, "sh", int64(42)}, "env": map[string]any{"N": json.Number("3.5")}},
			stdout, `{"out":"42 3.5\n"}`},
		{"caps", cmd("sh", "-c", `head -c 1100000 /dev/zero | tr '\0' a; head -c 1100000 /dev/zero | tr '\0' b >&2; echo END`),
			outs("out=len(result.stdout)", "err=len(result.stderr)", "a=result.stdout endsWith 'a'", "b=result.stderr endsWith 'b'"),
			`{"a":true,"b":true,"err":1048576,"out":1048576}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := run(t, a, engine.ActivityScript, engine.Call{Step: "s", Input: tt.in, Outputs: tt.outs})
			if err != nil {
				t.Fatal(err)
			}
			if got := jsonText(t, res.Outputs); got != tt.want {
				t.Errorf("outputs\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestScriptErrors(t *testing.T) {
	a := NewActivities(aws.Config{}, WithScripts())
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, []byte("echo hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a    *Activities
		in   map[string]any
		typ  string
		msg  string
	}{
		{"disabled", NewActivities(aws.Config{}), cmd("true"), ErrScriptsDisabled,
			"this worker does not run scripts: start it with --allow-scripts"},
		{"empty", a, cmd(), ErrInvalidInput, "script: the command is empty: write it as [program, arg, ...]"},
		{"no command", a, map[string]any{}, ErrInvalidInput, "script: the command is empty: write it as [program, arg, ...]"},
		{"unknown field", a, map[string]any{"command": []any{"true"}, "dir": "/"}, ErrInvalidInput, `script input: json: unknown field "dir"`},
		{"not found", a, cmd("no-such-program-runbook"), ErrInvalidInput, `script: program "no-such-program-runbook" not found in the worker's PATH`},
		{"not executable", a, cmd(plain), ErrInvalidInput, `script: cannot run "` + plain + `": `},
		{"exit code", a, cmd("sh", "-c", "echo out; echo oops >&2; exit 3"), ErrExitCode, "command exited with status 3; stderr: oops"},
		{"exit code, no stderr", a, cmd("false"), ErrExitCode, "command exited with status 1"},
		{"stderr's end", a, cmd("sh", "-c", `head -c 5000 /dev/zero | tr '\0' x >&2; echo é >&2; echo END >&2; exit 1`), ErrExitCode,
			"command exited with status 1; stderr: " + strings.Repeat("x", 493) + "é\nEND"},
		{"signal", a, cmd("sh", "-c", "kill -9 $$"), ErrExitCode, "command was killed by signal 9 (killed)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, tt.a, engine.ActivityScript, engine.Call{Step: "s", Input: tt.in})
			if err == nil {
				t.Fatal("no error")
			}
			ae := appError(t, err)
			if ae.Type() != tt.typ || !ae.NonRetryable() || !strings.HasPrefix(ae.Message(), tt.msg) ||
				tt.typ == ErrExitCode && ae.Message() != tt.msg {
				t.Errorf("got %s (non-retryable %v): %q\nwant %s, non-retryable: %q", ae.Type(), ae.NonRetryable(), ae.Message(), tt.typ, tt.msg)
			}
		})
	}
}

// alive reports whether process pid runs (a zombie does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// gone waits up to 2s for process pid to end.
func gone(pid int) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !alive(pid) {
			return true
		}
	}
	return false
}

// grandchild reads the PID a script wrote to file.
func grandchild(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		t.Fatalf("no PID in %s: %q, %v", file, b, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// sharedDir is a directory the script's user can write in (scripts run as
// nobody when the tests run as root).
func sharedDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "runbook-test-")
	if err == nil {
		err = os.Chmod(dir, 0o777)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func TestScriptKillsItsGroup(t *testing.T) {
	a := NewActivities(aws.Config{}, WithScripts())
	pidFile := filepath.Join(sharedDir(t), "pid")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := run(t, a, engine.ActivityScript, engine.Call{Step: "s",
		Input: cmd("sh", "-c", `sleep 60 & echo $! > "$1"; wait`, "sh", pidFile)},
		func(env *testsuite.TestActivityEnvironment) {
			env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
		})
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") || time.Since(start) > 10*time.Second {
		t.Fatalf("after %v: %v, want the deadline's error", time.Since(start), err)
	}
	if pid := grandchild(t, pidFile); !gone(pid) {
		t.Fatalf("the background process %d outlived the deadline", pid)
	}
}

func TestScriptLeftovers(t *testing.T) {
	// The program exits at once; what it left holding its stdout is killed
	// after scriptWaitDelay, and the output so far is the result.
	a := NewActivities(aws.Config{}, WithScripts())
	pidFile := filepath.Join(sharedDir(t), "pid")
	start := time.Now()
	res, err := run(t, a, engine.ActivityScript, engine.Call{Step: "s",
		Input: cmd("sh", "-c", `sleep 60 & echo $! > "$1"; echo started`, "sh", pidFile), Outputs: outs("out=result.stdout")})
	if err != nil || res.Outputs["out"] != "started\n" || time.Since(start) > scriptWaitDelay+5*time.Second {
		t.Fatalf("after %v: %+v, %v", time.Since(start), res, err)
	}
	if pid := grandchild(t, pidFile); !gone(pid) {
		t.Fatalf("the background process %d outlived the script", pid)
	}
}

func TestCutUTF8(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{"aé", 2, "a"},   // é is 2 bytes
		{"a€b", 3, "a"},  // € is 3
		{"a€b", 4, "a€"}, //
		{"a😀", 4, "a"},   // 😀 is 4
		{"\xff\xff", 1, "\xff"},
	}
	for _, tt := range tests {
		if got := string(cutUTF8([]byte(tt.in), tt.n)); got != tt.want {
			t.Errorf("cutUTF8(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestTrimUTF8Start(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "é"[1:] + "b": "b", "€"[1:] + "é": "é", "": ""} {
		if got := string(trimUTF8Start([]byte(in))); got != want {
			t.Errorf("trimUTF8Start(%q) = %q, want %q", in, got, want)
		}
	}
}
