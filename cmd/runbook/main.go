package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
)

// Exit codes. 3 is reserved for an unreachable Temporal or server.
const (
	exitOK      = 0
	exitInvalid = 1 // invalid definition, failed execution, refused request
	exitUsage   = 2 // bad flags, arguments or paths
)

// cli is the command line grammar.
type cli struct {
	Run       runCmd       `cmd:"" help:"Run a runbook and follow it live (Ctrl-C detaches)."`
	Start     startCmd     `cmd:"" help:"Start a runbook and print its execution ID."`
	Watch     watchCmd     `cmd:"" help:"Follow an execution until it ends."`
	Status    statusCmd    `cmd:"" help:"Print an execution's status and steps."`
	History   historyCmd   `cmd:"" help:"Print an execution's timeline from its history; -o temporal exports the history."`
	List      listCmd      `cmd:"" help:"List executions."`
	Cancel    cancelCmd    `cmd:"" help:"Cancel an execution (its finally steps still run)."`
	Approvals approvalsCmd `cmd:"" help:"List the steps waiting for approval."`
	Approve   approveCmd   `cmd:"" help:"Approve an execution's waiting step."`
	Reject    rejectCmd    `cmd:"" help:"Reject an execution's waiting step (the step fails)."`
	Inbox     inboxCmd     `cmd:"" help:"List what waits for you: approvals, manual steps, questions, with the command to act."`
	Done      doneCmd      `cmd:"" help:"Mark a manual step done (confirming its checklist)."`
	Answer    answerCmd    `cmd:"" help:"Answer an ask step's question (-f FIELD=VALUE ...)."`
	Server    serverCmd    `cmd:"" help:"Run the embedded Temporal server, a worker and the Web UI."`
	Serve     serveCmd     `cmd:"" help:"Run a worker and the HTTP server: alarm hooks, API, web page, metrics."`
	Replay    replayCmd    `cmd:"" help:"Replay recorded histories against this build; exit 1 if one would not replay."`
	Retry     retryCmd     `cmd:"" help:"Start a failed execution again from a step, reusing the outputs recorded before it."`
	Catalog   catalogCmd   `cmd:"" help:"List the definitions a name can start: the built-in library and --catalog folders."`
	Worker    workerCmd    `cmd:"" help:"Run a worker against a Temporal cluster."`
	Validate  validateCmd  `cmd:"" help:"Check definition files and report every problem."`
	Import    importCmd    `cmd:"" help:"Translate other tools' runbooks into definitions (import ssm FILE|DIR)."`
	Test      testCmd      `cmd:"" help:"Run runbook tests (*.test.yaml) with canned responses on Temporal's test environment; report the routes no case took."`
	Plan      planCmd      `cmd:"" help:"Print the plan a definition lowers to, as JSON."`
	Schema    schemaCmd    `cmd:"" help:"Print the JSON Schema of definition files."`
	Docs      docsCmd      `cmd:"" help:"Print the step-kind reference (Markdown)."`
	Setup     setupCmd     `cmd:"" help:"Register the namespace (when missing) and the search attributes the engine uses on a Temporal cluster."`
	Keygen    keygenCmd    `cmd:"" help:"Print a new payload codec key (ID:BASE64) for --codec-key-file."`
	Version   versionCmd   `cmd:"" help:"Print the version."`
	Complete  completeCmd  `cmd:"" name:"completion" help:"Print the shell completion script for bash, zsh or fish (source <(runbook completion bash))."`
	Init      initCmd      `cmd:"" help:"Write a commented starter definition and its test file (NAME.yaml, NAME.test.yaml); overwrites nothing."`
	Fmt       fmtCmd       `cmd:"" help:"Rewrite definition files in the canonical layout (key order, 2-space indent, comments kept); --check lists the files that are not."`
	Describe  describeCmd  `cmd:"" help:"Show one definition: params, steps, triggers, approvals and the command that runs it."`
	Color     string       `enum:"auto,always,never" default:"auto" help:"Colour and symbols: ${enum} (auto: on a terminal, unless NO_COLOR is set)."`
}

// env is where commands write: stdout for results, stderr for notices;
// color is --color.
type env struct {
	stdout, stderr io.Writer
	color          string
}

// errInvalid reports invalid definitions whose diagnostics are printed.
var errInvalid = errors.New("invalid definitions")

// usageError is a mistake on the command line: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	e := &env{stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(exitCode(run(os.Args[1:], e), e.stderr))
}

// run parses args and runs the command they name.
func run(args []string, e *env) error {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("runbook"),
		kong.Description("An operations-as-code runbook engine: runbooks and playbooks that run as durable Temporal workflows."),
		kong.Vars{"defaultAddress": defaultAddress},
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(code int) { panic(kongExit(code)) }),
		kong.Bind(e),
		kong.Configuration(loadConfig),
	)
	if err != nil {
		return err
	}
	if completing(parser, e) {
		return nil
	}
	arrangeHelp(parser.Model)
	ctx, code, err := parse(parser, args)
	switch {
	case code == exitOK:
		return nil // --help
	case code > 0:
		return &usageError{msg: "invalid command line"}
	case err != nil:
		return &usageError{msg: err.Error()}
	}
	e.color = c.Color
	service := "runbook"
	if f := strings.Fields(ctx.Command()); len(f) > 0 {
		service += "-" + f[0]
	}
	defer startTracing(context.Background(), service, e.stderr)()
	return ctx.Run()
}

// kongExit carries kong's exit (after --help) out of Parse.
type kongExit int

// parse runs kong's parser; code is kong's exit code when it asked to
// exit (-1 otherwise).
func parse(p *kong.Kong, args []string) (ctx *kong.Context, code int, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			ctx, code, err = nil, int(c), nil
		}
	}()
	ctx, err = p.Parse(args)
	return ctx, -1, err
}

// exitCode maps run's error to the exit code, printing it when it has not
// been printed yet.
func exitCode(err error, stderr io.Writer) int {
	var usage *usageError
	var down *unreachableError
	if u := notSetUp(err); u != nil {
		err = u
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInvalid), errors.Is(err, errExecution):
		return exitInvalid
	case errors.As(err, &down):
		fmt.Fprintf(stderr, "runbook: %s\n", down.msg)
		return exitUnreachable
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "runbook: %s\nRun \"runbook --help\" for usage.\n", usage.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "runbook: %v\n", err)
	return exitInvalid
}
