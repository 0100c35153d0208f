package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// runCmd starts an execution and follows it live.
type runCmd struct {
	target
	caller      `embed:""`
	conn        `embed:""`
	workerFlags `embed:"" group:"Embedded worker"`
	Output      string `short:"o" enum:"text,json,jsonl" default:"text" help:"Output format: ${enum} (jsonl: one line per step start and end, then the outcome)."`
	Embedded    bool   `help:"Run on an embedded server in this process even if a runbook server is listening."`
	DryRun      bool   `name:"dry-run" help:"Run read-only calls for real; send no mutating call (or only with its own DryRun flag), skip approvals and sleeps, run no script; print what would have acted."`
	remote      `embed:""`
	Reconnect   time.Duration `default:"2m" help:"How long to keep trying when Temporal stops answering while following (the execution goes on regardless)."`
}

// startCmd starts an execution and prints its ID.
type startCmd struct {
	target
	caller `embed:""`
	conn   `embed:""`
	remote `embed:""`
}

// Run starts the execution on the runbook server (or --address) and
// prints only its ID on stdout.
func (c *startCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
	p, params, err := c.plan(e)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	warnIdleQueues(ctx, s.client, p, e.stderr)
	id, err := startExecution(ctx, s.client, p, params, c.requester(e))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, id)
	return nil
}

// Run starts the execution and follows it until it ends; Ctrl-C detaches.
func (c *runCmd) Run(e *env) error {
	if c.apiMode() {
		return c.viaAPI(e)
	}
	p, params, err := c.plan(e)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	wo, closeAudit, err := c.workerFlags.options(c.StateDir, e.stderr)
	if err != nil {
		return err
	}
	defer closeAudit()
	// An embedded worker runs the files given as well as the catalog.
	if c.catalogOnly(false) {
		wo.only(c.valid)
	}
	wo.queue = p.Queue() // an embedded worker polls the plan's queue
	c.conn.embedded = wo
	connect := c.connect
	if c.Embedded {
		if c.Address != "" {
			return usagef("--embedded and --address exclude each other")
		}
		connect = c.embed
	}
	s, err := connect(ctx, true)
	if err != nil {
		return err
	}
	defer s.close()
	if s.embedded == nil {
		warnIdleQueues(ctx, s.client, p, e.stderr)
	}
	id, err := startInput(ctx, s.client, engine.Input{Plan: p, Params: params, StartedBy: c.requester(e), Trigger: "manual", DryRun: c.DryRun})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%s@%s started: %s (on %s)\n", p.Name, p.Version, id, where(s))
	pr := newPrinter(e, c.Output, started)
	who := c.name()
	pr.prompt = newPrompter(ctx, c.Output, mayAs(who, nil), directSender(s.client, id, who, nil))
	out, err := follow(ctx, s.client, id, pr, c.Reconnect)
	if ctx.Err() != nil {
		detached(e, id, s)
		return nil
	}
	return finished(e, c.Output, id, out, err)
}

// requester is who starts an execution (who may not approve it); --as
// is taken on trust, and said so.
func (c caller) requester(e *env) string {
	if c.As != "" {
		trustNotice(e.stderr, c.As)
	}
	return c.name()
}

func where(s *session) string {
	if s.embedded != nil {
		return "an embedded server, state in " + s.stateDir
	}
	return s.address
}

// detached says how to find the execution again after Ctrl-C.
func detached(e *env, id string, s *session) {
	fmt.Fprintf(e.stderr, "\ndetached; the execution goes on.\n  watch it:  runbook watch %s\n  cancel it: runbook cancel %s\n", id, id)
	if s.embedded != nil {
		fmt.Fprintf(e.stderr, "It ran on an embedded server, which stops now: it resumes when `runbook server` runs on the same state directory.\n")
	}
}

// startExecution starts the interpreter workflow on plan p. A definition
// with a lock is started under an ID derived from the lock key, so that a
// second start while one runs is refused with the running one's ID.
func startExecution(ctx context.Context, cl client.Client, p *engine.Plan, params map[string]any, requester string) (string, error) {
	return startInput(ctx, cl, engine.Input{Plan: p, Params: params, StartedBy: requester, Trigger: "manual"})
}

// startInput starts the interpreter workflow on in.
func startInput(ctx context.Context, cl client.Client, in engine.Input) (string, error) {
	p := in.Plan
	opts, err := interp.StartOptions(in, fmt.Sprintf("%s-%s", p.Name, randomSuffix()))
	if err != nil {
		return "", usagef("%v", err)
	}
	run, err := cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return "", fmt.Errorf("refused: %s is locked: execution %s (run %s) holds the lock", p.Name, opts.ID, started.RunId)
	}
	if err != nil {
		return "", unreachable(err)
	}
	return run.GetID(), nil
}

// unreachable marks errors that mean Temporal did not answer.
func unreachable(err error) error {
	if notAnswered(err) {
		return &unreachableError{msg: err.Error()}
	}
	return err
}

// notAnswered reports whether err means Temporal did not answer (down,
// or too slow), not that it refused.
func notAnswered(err error) bool {
	var u *serviceerror.Unavailable
	var d *serviceerror.DeadlineExceeded
	return errors.As(err, &u) || errors.As(err, &d)
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// finished prints the outcome's last line and maps it to the exit code.
func finished(e *env, format, id string, out *engine.Outcome, err error) error {
	if out == nil {
		return err
	}
	switch format {
	case "json":
		_ = writeJSON(e.stdout, map[string]any{"id": id, "outcome": out})
	case "jsonl":
		_ = writeJSONL(e.stdout, &event{Event: eventOutcome, ID: id, Time: time.Now().UTC(), Outcome: out})
	default:
		fmt.Fprintln(e.stdout, summaryLine(newStyle(e.stdout, e.color), out))
		printFinding(e.stdout, out)
		printDryRun(e.stdout, out)
	}
	if out.Status != engine.StatusSucceeded {
		return errExecution
	}
	return nil
}

// errExecution is a failed, cancelled or timed-out execution: exit 1,
// already reported.
var errExecution = errors.New("execution did not succeed")

// summaryLine is the last line of run and watch.
func summaryLine(st style, o *engine.Outcome) string {
	var b strings.Builder
	switch o.Status {
	case engine.StatusSucceeded:
		b.WriteString(st.word(engine.StatusSucceeded))
		if o.Message != "" {
			b.WriteString(": " + o.Message)
		}
		if len(o.Outputs) > 0 {
			b.WriteString("; outputs: " + engine.Pairs(o.Outputs))
		}
	case engine.StatusFailed, engine.StatusTimedOut:
		b.WriteString(st.word(o.Status))
		if o.Failed != "" {
			b.WriteString(" at step " + o.Failed)
		}
		if o.Error != nil {
			b.WriteString(": " + errText(o.Error))
		}
	default:
		b.WriteString(st.word(o.Status))
	}
	return b.String()
}

func errText(se *engine.StepError) string {
	if se.Type == "" || strings.HasPrefix(se.Message, se.Type) {
		return se.Message
	}
	return se.Type + ": " + se.Message
}
