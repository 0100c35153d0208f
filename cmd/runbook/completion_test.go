package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCompletionScripts checks that each shell's script is printed and,
// where the shell is installed, parses.
func TestCompletionScripts(t *testing.T) {
	check := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := runIn(t, ".", "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "COMP_LINE") || !strings.Contains(r.stdout, "runbook") {
			t.Errorf("runbook completion %s: exit %d\n%s%s", shell, r.code, r.stdout, r.stderr)
			continue
		}
		if _, err := exec.LookPath(shell); err != nil {
			t.Logf("%s is not installed: its script is not syntax-checked", shell)
			continue
		}
		script := filepath.Join(t.TempDir(), "runbook."+shell)
		if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(check[shell][0], append(check[shell][1:], script)...).CombinedOutput(); err != nil {
			t.Errorf("%s rejects its script: %v\n%s", shell, err, out)
		}
	}
	if r := runIn(t, ".", "completion", "tcsh"); r.code != 2 {
		t.Errorf("runbook completion tcsh: exit %d, want 2", r.code)
	}
}

// bashComplete sources the bash script into a real bash, sets the line
// as bash would for a completion at its end and calls the completion
// function; it returns COMPREPLY.
func bashComplete(t *testing.T, dir, script, line string) []string {
	t.Helper()
	line = bin + strings.TrimPrefix(line, "runbook")
	prog := `source "$1"
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_runbook
printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command("bash", "-c", prog, "bash", script, line)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return strings.Fields(string(out))
}

// TestCompletionBash drives the bash script's completion function in a
// real bash: commands, flags, enum values, definition names of the
// library and of --catalog folders, param names of the definition run.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := workdir(t, map[string]string{
		"lib/mine.yaml": "apiVersion: runbook/v1\nkind: Runbook\nname: my-own\nversion: 1.0.0\nparams:\n  Region: {type: string}\n  Count: {type: int, default: 1}\nsteps: [{name: wait, sleep: 10s}]\n",
		"local.yaml":    unusedParam,
	})
	script := filepath.Join(dir, "runbook.bash")
	if err := os.WriteFile(script, []byte(runIn(t, ".", "completion", "bash").stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line      string
		want, not []string
	}{
		{"runbook ", []string{"run", "validate", "fmt", "init", "completion", "catalog"}, []string{"--help"}},
		{"runbook val", []string{"validate"}, []string{"run"}},
		{"runbook validate --st", []string{"--strict"}, nil},
		{"runbook validate -o ", []string{"text", "json", "github", "sarif"}, nil},
		{"runbook run ec2-re", []string{"ec2-restart"}, []string{"rds-reboot"}},
		{"runbook run ", []string{"ec2-restart", "ec2-status-check", "local.yaml"}, []string{"my-own"}},
		{"runbook run --catalog lib ", []string{"my-own", "ec2-restart"}, nil},
		{"runbook run ec2-restart -p ", []string{"InstanceId="}, []string{"ec2-restart"}},
		{"runbook start ec2-restart --param Inst", []string{"InstanceId="}, nil},
		{"runbook run --catalog lib my-own -p ", []string{"Count=", "Region="}, nil},
		{"runbook run local.yaml -p ", []string{"Unused="}, nil},
		{"runbook run local.yaml --dry-run -p U", []string{"Unused="}, nil},
		{"runbook list --name ec2-r", []string{"ec2-restart"}, nil},
	}
	for _, tt := range tests {
		got := bashComplete(t, dir, script, tt.line)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q offers %q, want %q among them", tt.line, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("%q offers %q, which should not be among %q", tt.line, w, got)
			}
		}
	}
}

// TestCompletionExecutions checks that execution IDs are offered from the
// Temporal server the line names, and that an unreachable one gives no
// answer, quickly and without an error.
func TestCompletionExecutions(t *testing.T) {
	complete := func(env []string, line string) (result, time.Duration) {
		cmd := exec.Command(bin)
		cmd.Env = append(env, "COMP_LINE="+line, "COMP_POINT="+strconv.Itoa(len(line)))
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		began := time.Now()
		err := cmd.Run()
		code := 0
		if err != nil {
			code = -1
		}
		return result{out.String(), errb.String(), code}, time.Since(began)
	}
	env := e2eEnv(t)
	r, took := complete(append(env, "TEMPORAL_ADDRESS=127.0.0.1:1"), "runbook status ")
	if r.code != 0 || r.stdout != "" || r.stderr != "" || took > executionTimeout+2*time.Second {
		t.Errorf("with no Temporal: %s after %v; want exit 0, nothing printed, within %v", r, took, executionTimeout)
	}
	if testing.Short() {
		t.Skip("the embedded server takes seconds to start")
	}
	addr := e2eServer(t, env)
	dir := workdir(t, map[string]string{"valid.yaml": valid})
	s := e2eRun(t, dir, env, "start", "valid.yaml", "--address", addr)
	id := strings.TrimSpace(s.stdout)
	if s.code != 0 || id == "" {
		t.Fatalf("start: %s", s)
	}
	var got string
	for try := 0; try < 50 && !strings.Contains(got, id); try++ {
		r, _ = complete(env, "runbook cancel --address "+addr+" ")
		got = r.stdout
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(got, id+"\n") {
		t.Errorf("runbook cancel --address %s <TAB> offers %q, want %s", addr, got, id)
	}
}
