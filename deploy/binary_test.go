package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// stamp is the version the tests' build of the binary is stamped with,
// through the -X symbol the Dockerfile uses.
const stamp = "v0.0.0-deploy-test"

var built struct {
	once sync.Once
	path string
	err  error
	help sync.Map // subcommand -> *usage
}

// binary builds cmd/runbook once for the package's tests, stamped as the
// Dockerfile stamps it, and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "runbook-deploy-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "runbook")
		sym, err := versionSymbol()
		if err != nil {
			built.err = err
			return
		}
		cmd := exec.Command("go", "build", "-ldflags", "-X "+sym+"="+stamp, "-o", built.path, "./cmd/runbook")
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// repoRoot is the module's root, seen from this package's directory.
const repoRoot = ".."

// usage is what `runbook CMD --help` lists: its flags (name -> the
// placeholder of its value, "" for a switch) and the environment
// variables its flags read.
type usage struct {
	cmd   string
	flags map[string]string
	env   map[string]bool
}

var (
	helpFlag = regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z0-9-]+)(?:=("?)([^\s"]*)"?)?`)
	helpEnv  = regexp.MustCompile(`\(\$([A-Z0-9_]+)\)`)
)

// help runs `runbook CMD --help` (once per CMD) and parses it.
func help(t *testing.T, cmd string) *usage {
	t.Helper()
	if u, ok := built.help.Load(cmd); ok {
		return u.(*usage)
	}
	out, err := exec.Command(binary(t), cmd, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("runbook %s --help: %v\n%s", cmd, err, out)
	}
	u := &usage{cmd: cmd, flags: map[string]string{}, env: map[string]bool{}}
	for _, m := range helpFlag.FindAllStringSubmatch(string(out), -1) {
		placeholder := m[3]
		if m[2] == `"` {
			placeholder = "DEFAULT" // a quoted default, not a placeholder
		}
		u.flags[m[1]] = placeholder
	}
	for _, m := range helpEnv.FindAllStringSubmatch(string(out), -1) {
		u.env[m[1]] = true
	}
	if len(u.flags) < 2 {
		t.Fatalf("runbook %s --help lists no flags:\n%s", cmd, out)
	}
	built.help.Store(cmd, u)
	return u
}

// isPath reports whether flag takes a file or folder: its placeholder is
// FILE or DIR, or its name says so (--state-dir, --tls-ca-path).
func (u *usage) isPath(flag string) bool {
	p := u.flags[flag]
	return p == "FILE" || p == "DIR" || strings.HasSuffix(flag, "-dir") || strings.HasSuffix(flag, "-path")
}

// invocation is one command line of the binary, as a deployment file
// writes it.
type invocation struct {
	where string // the file and the service, for messages
	cmd   string
	flags map[string][]string // --name -> values ("" for a bare switch)
}

// parseArgs reads args (the subcommand first) as the deployment file
// gives them, and reports every flag that `runbook CMD --help` does not
// list, every positional argument and every switch given a value it
// cannot take.
func parseArgs(t *testing.T, where string, args []string) *invocation {
	t.Helper()
	if len(args) == 0 {
		t.Errorf("%s: no subcommand", where)
		return &invocation{where: where, flags: map[string][]string{}}
	}
	inv := &invocation{where: where, cmd: args[0], flags: map[string][]string{}}
	u := help(t, inv.cmd)
	for i := 1; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			t.Errorf("%s: runbook %s: unexpected argument %q", where, inv.cmd, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		placeholder, ok := u.flags[name]
		if !ok {
			t.Errorf("%s: runbook %s has no flag --%s (see runbook %s --help)", where, inv.cmd, name, inv.cmd)
			continue
		}
		switch {
		case placeholder == "" && hasValue && value != "true" && value != "false":
			t.Errorf("%s: --%s is a switch, given %q", where, name, value)
		case placeholder != "" && !hasValue:
			if i+1 == len(args) || strings.HasPrefix(args[i+1], "--") {
				t.Errorf("%s: --%s needs a value", where, name)
				continue
			}
			i++
			value = args[i]
		}
		inv.flags[name] = append(inv.flags[name], value)
	}
	return inv
}

// value is the flag's last value, "" when not given.
func (inv *invocation) value(flag string) string {
	v := inv.flags[flag]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// paths are the values of the invocation's file and folder flags.
func (inv *invocation) paths(t *testing.T) map[string][]string {
	u := help(t, inv.cmd)
	out := map[string][]string{}
	for name, vs := range inv.flags {
		if u.isPath(name) {
			out[name] = vs
		}
	}
	return out
}

// checkEnv reports the runbook and Temporal variables in names that no
// flag of `runbook CMD` reads. Others (AWS_*) are the SDKs'.
func checkEnv(t *testing.T, where, cmd string, names []string) {
	t.Helper()
	u := help(t, cmd)
	for _, n := range names {
		if (strings.HasPrefix(n, "RUNBOOK_") || strings.HasPrefix(n, "TEMPORAL_")) && !u.env[n] {
			t.Errorf("%s: runbook %s reads no variable %s", where, cmd, n)
		}
	}
}

// TestVersionStamp: the -X symbol the Dockerfile uses sets what `runbook
// version` prints.
func TestVersionStamp(t *testing.T) {
	out, err := exec.Command(binary(t), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("runbook version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "runbook "+stamp+" ") {
		t.Errorf("runbook version printed %q, want the stamped %s", out, stamp)
	}
}

// TestHelpParse: the help parser finds what the tests rely on, so a
// change of kong's layout fails here rather than letting checks pass
// on nothing.
func TestHelpParse(t *testing.T) {
	u := help(t, "serve")
	for flag, want := range map[string]string{"listen": "DEFAULT", "tokens": "FILE", "catalog": "DIR", "catalog-only": "", "address": "STRING"} {
		if got, ok := u.flags[flag]; !ok || got != want {
			t.Errorf("serve --help: --%s has placeholder %q (listed: %v), want %q", flag, got, ok, want)
		}
	}
	for _, v := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "RUNBOOK_STATE_DIR", "RUNBOOK_CODEC_KEY_FILE"} {
		if !u.env[v] {
			t.Errorf("serve --help: no $%s", v)
		}
	}
	if !u.isPath("state-dir") || !u.isPath("codec-key-file") || u.isPath("listen") {
		t.Error("isPath: wrong")
	}
}
