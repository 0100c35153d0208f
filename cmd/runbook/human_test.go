package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// halfManual is half a person's work: a manual step with a checklist, a
// question whose answer routes.
const halfManual = `apiVersion: runbook/v1
kind: Runbook
name: half-manual
version: 1.0.0
params:
  Service: {type: string, default: api}
steps:
  - name: drain
    manual:
      instructions: Drain ${{ params.Service }} in the console.
      links:
        - {title: Console, url: "https://console.example/${{ params.Service }}"}
      checklist: [Traffic drained, Dashboards quiet]
  - name: saw
    ask:
      question: What do the logs show?
      fields:
        errors: {type: string, enum: ["yes", "no"]}
        count: {type: int, min: 0}
        note: {type: string, default: ""}
    branch:
      - when: steps.saw.errors == "yes"
        goto: bad
  - name: good
    succeed: clean after ${{ steps.drain.by }}, ${{ steps.saw.count }} errors
  - name: bad
    fail: errors in the logs
`

// screen is what a pseudo-terminal shows, read as it comes.
type screen struct {
	mu   sync.Mutex
	text strings.Builder
}

func (s *screen) read(r io.Reader) {
	br := bufio.NewReader(r)
	buf := make([]byte, 4096)
	for {
		n, err := br.Read(buf)
		s.mu.Lock()
		s.text.Write(buf[:n])
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// await waits until the screen shows want after from (a byte offset) and
// returns the offset past it.
func (s *screen) await(t *testing.T, from int, want string) int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		all := s.text.String()
		s.mu.Unlock()
		if i := strings.Index(all[from:], want); i >= 0 {
			return from + i + len(want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s.text.String()[from:])
	return 0
}

// TestRunPromptsAtTerminal runs a half-manual runbook in a real
// pseudo-terminal: `run` shows the manual step's instructions, links and
// checklist, asks to confirm each item, then asks each answer field,
// refusing a bad value as it is typed, and carries on to the end.
func TestRunPromptsAtTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir())
	dir := workdir(t, map[string]string{"half.yaml": halfManual})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "half.yaml", "--address", addr, "--as", "carol")
	cmd.Dir, cmd.Env = dir, append(env, "LANG=C.UTF-8")
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var sc screen
	go sc.read(tty)
	type step struct{ want, send string }
	at := 0
	for _, s := range []step{
		{"Drain api in the console.", ""},
		{"Console: https://console.example/api", ""},
		{"[ ] Dashboards quiet", ""},
		{`Confirm "Traffic drained"? [y/N] `, "y"},
		{`Confirm "Dashboards quiet"? [y/N] `, "y"},
		{"Add a note", "drained at 10%"},
		{"carol marked it done: drained at 10%", ""},
		{"What do the logs show?", ""},
		{"errors (string: one of [yes no]): ", "maybe"},
		{"✗ field errors: maybe is not one of yes, no", ""},
		{"errors (string: one of [yes no]): ", "no"},
		{"count (int): ", "many"},
		{`✗ field count: want an integer, got "many"`, ""},
		{"count (int): ", "3"},
		{`note (string, default ): `, ""},
		{"carol answered: count=3 errors=no", ""},
		{"clean after carol, 3 errors", ""},
	} {
		at = sc.await(t, at, s.want)
		if s.send != "" || strings.HasSuffix(s.want, ": ") {
			if _, err := io.WriteString(tty, s.send+"\r"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run: %v\n%s", err, sc.text.String())
	}
}

// TestHumanCommandsWithoutTerminal: without a terminal `run` never
// prompts; it prints the command to act and follows while others act with
// `inbox`, `done` and `answer`; refused acts change nothing.
func TestHumanCommandsWithoutTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir())
	dir := workdir(t, map[string]string{"half.yaml": halfManual})
	cli := func(args ...string) result {
		t.Helper()
		return e2eRun(t, dir, env, append(args, "--address", addr)...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := exec.CommandContext(ctx, bin, "run", "half.yaml", "--address", addr, "--as", "carol")
	run.Dir, run.Env = dir, env
	var stderr syncBuffer
	var stdout strings.Builder
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	cmdLine := regexp.MustCompile(`runbook done (\S+) --step drain --request (\S+) --check "Traffic drained" --check "Dashboards quiet" --note TEXT`)
	var m []string
	for try := 0; try < 600 && m == nil; try++ {
		m = cmdLine.FindStringSubmatch(stderr.String())
		time.Sleep(50 * time.Millisecond)
	}
	if m == nil {
		t.Fatalf("run printed no command to act:\n%s", stderr.String())
	}
	id := m[1]
	r := cli("inbox", "-o", "json", "--as", "alice")
	var rows []struct{ ID, Step string }
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0].ID != id || rows[0].Step != "drain" {
		t.Fatalf("inbox -o json: %v %+v\n%s", err, rows, r)
	}
	if r = cli("inbox", "--as", "alice"); !strings.Contains(r.stdout, "manual") || !strings.Contains(r.stdout, m[0]) {
		t.Errorf("inbox table:\n%s", r)
	}
	if r = cli("done", id, "--as", "alice", "--check", "Traffic drained"); r.code != 1 || !strings.Contains(r.stderr, "refused: step drain is done only when every checklist item is confirmed; not confirmed: Dashboards quiet") {
		t.Errorf("done with half the checklist:\n%s", r)
	}
	if r = cli("answer", id, "--as", "alice", "-f", "errors=no"); r.code != 1 || !strings.Contains(r.stderr, "no step of this execution is waiting for an answer") {
		t.Errorf("answer before the question:\n%s", r)
	}
	if r = cli("done", id, "--as", "alice", "--all-checked", "--note", "done from another terminal"); r.code != 0 || !strings.Contains(r.stdout, "alice marked step drain done") {
		t.Fatalf("done --all-checked:\n%s", r)
	}
	for try := 0; try < 600 && !strings.Contains(stderr.String(), "runbook answer "+id); try++ {
		time.Sleep(50 * time.Millisecond)
	}
	r = cli("answer", id, "--as", "bob", "-f", "errors=maybe", "-f", "count=x", "-f", "colour=red")
	for _, want := range []string{"field count: want an integer", "field errors: maybe is not one of yes, no", "unknown field colour"} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("a bad answer must list %q:\n%s", want, r)
		}
	}
	if r = cli("answer", id, "--as", "bob", "-f", "errors=yes", "-f", "count=4"); r.code != 0 || !strings.Contains(r.stdout, "bob answered step saw: count=4 errors=yes") {
		t.Fatalf("answer:\n%s", r)
	}
	if err := run.Wait(); err == nil || !strings.Contains(stderr.String(), "errors in the logs") {
		t.Fatalf("run must end on the answer's branch (bad): %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "Confirm") {
		t.Errorf("run prompted without a terminal:\n%s", stderr.String())
	}
	if r = cli("history", id); !strings.Contains(r.stdout, "done by alice") || !strings.Contains(r.stdout, "answered by bob") {
		t.Errorf("the history must say who acted:\n%s", r)
	}
}

// TestWatchPromptsApprover: `watch` in a pseudo-terminal, by a listed
// approver, prompts to approve and sends the approval.
func TestWatchPromptsApprover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir())
	dir := workdir(t, map[string]string{"gated.yaml": e2eApproval})
	r := e2eRun(t, dir, env, "start", "gated.yaml", "--as", "carol", "--address", addr)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatalf("start: %s", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "watch", id, "--address", addr, "--as", "alice")
	cmd.Dir, cmd.Env = dir, append(env, "LANG=C.UTF-8")
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var sc screen
	go sc.read(tty)
	at := sc.await(t, 0, "Approve? [a]pprove / [r]eject / Enter to leave it: ")
	if _, err := io.WriteString(tty, "a\r"); err != nil {
		t.Fatal(err)
	}
	sc.await(t, at, "alice approved")
	r = e2eRun(t, dir, env, "status", id, "-o", "json", "--address", addr)
	var st struct {
		Outcome struct {
			Steps []struct {
				Approval struct {
					Decisions []struct{ Identity, Decision string }
				}
			}
		}
	}
	out := &st.Outcome
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || len(out.Steps) == 0 || len(out.Steps[0].Approval.Decisions) != 1 ||
		out.Steps[0].Approval.Decisions[0].Identity != "alice" {
		t.Fatalf("the approval sent from watch: %v\n%s", err, r)
	}
	cancel()
	_ = cmd.Wait()
}
