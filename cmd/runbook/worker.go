package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/archive"
	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// workerFlags are the worker's settings.
type workerFlags struct {
	AllowScripts   bool   `name:"allow-scripts" help:"Run script steps on this worker (they run programs on this host)."`
	ScriptUser     string `name:"script-user" placeholder:"USER" help:"Run scripts as this user (default: nobody when the worker runs as root, else the worker's user)."`
	AllowPrivate   bool   `name:"allow-private-http" help:"Let every http step reach loopback and link-local addresses (instance metadata), as allowPrivate does for one step."`
	AuditLog       string `name:"audit-log" placeholder:"FILE" type:"path" help:"Where refused approval decisions are appended (default: audit.log in the state directory)."`
	Archive        string `placeholder:"DIR|s3://BUCKET/PREFIX" help:"Archive the history of every closed execution there, as replayable JSON, so it outlives the namespace's retention."`
	SlackTokenFile string `name:"slack-token-file" placeholder:"FILE" type:"path" help:"A file holding the Slack app's bot token (xoxb-...), which slack notify targets post with (runbook serve also opens answer forms and updates messages with it). Refused when group or others can read it."`
	SlackAPIURL    string `name:"slack-api-url" hidden:"" placeholder:"URL" help:"Slack's Web API (default https://slack.com/api/)."`
	// CatalogOnly is nil when not given: see catalogOnly.
	noticeFlags `embed:""`
	CatalogOnly *bool `name:"catalog-only" help:"Run only the plans of this worker's catalog (the built-in library and --catalog folders): an execution of any other plan fails at once. Default: on with --allow-scripts, except for runbook server; --catalog-only=false turns it off."`
}

// catalogOnly reports whether the worker runs only its catalog's plans:
// as --catalog-only says, else when it runs scripts, unless anyByDefault
// (runbook server, whose worker runs the files of the one person who
// started it).
func (f workerFlags) catalogOnly(anyByDefault bool) bool {
	if f.CatalogOnly != nil {
		return *f.CatalogOnly
	}
	return f.AllowScripts && !anyByDefault
}

// queueFlag is the task queue a long-running worker polls.
type queueFlag struct {
	TaskQueue string `name:"task-queue" default:"runbook" env:"RUNBOOK_TASK_QUEUE" placeholder:"NAME" help:"The task queue this worker polls: a pool of workers of its own (its own credentials) runs the definitions that name it in taskQueue."`
}

// workerOptions are the settings a worker starts with.
type workerOptions struct {
	allowScripts bool
	scriptUser   string // who scripts run as; "": steps' default
	queue        string // the task queue polled; "": the default
	allowPrivate bool
	audit        interp.Auditor
	archive      string       // where closed executions are archived, if set
	log          *slog.Logger // the archiver's, the catalog's
	// sdkLog is the AWS SDK's and the embedded server's logger (see
	// logFlags.loggers); nil: they log nothing (short-lived commands).
	sdkLog *slog.Logger
	// catalog is the plans the worker runs; nil: any plan.
	catalog *interp.Catalog
	// notices: the activities' and the interpreter's options for
	// notices (noticeFlags).
	noticeActs   []steps.ActivitiesOption
	noticeInterp []interp.Option
}

// logTo makes the worker log through own, the refused decisions of the
// audit log included, and the SDKs through sdks.
func (o *workerOptions) logTo(own, sdks *slog.Logger) {
	o.log, o.sdkLog = own, sdks
	if a, ok := o.audit.(*auditLog); ok {
		a.log = own
	}
}

// only makes the worker run only plans (and the plans they pin).
func (o *workerOptions) only(plans []*engine.Plan) {
	o.catalog = interp.NewCatalog(plans, o.log)
}

// onlyCatalog makes the worker run only the plans of the built-in
// library and the folders dirs, when on; any invalid definition there is
// an error, as for runbook serve.
func (o *workerOptions) onlyCatalog(on bool, dirs []string) error {
	if !on {
		if len(dirs) > 0 {
			return usagef("--catalog: this worker runs any plan: add --catalog-only to run only the catalog's")
		}
		return nil
	}
	plans, err := validCatalog(dirs, nil)
	if err != nil {
		return err
	}
	o.only(plans)
	return nil
}

// options resolves the flags; the audit log lives in the state directory
// unless given.
func (f workerFlags) options(stateDir string, stderr io.Writer) (workerOptions, func(), error) {
	if f.Archive != "" {
		if err := archive.CheckDest(f.Archive); err != nil {
			return workerOptions{}, nil, usagef("--archive: %v", err)
		}
	}
	if f.ScriptUser != "" && !f.AllowScripts {
		return workerOptions{}, nil, usagef("--script-user: scripts run only with --allow-scripts")
	}
	if f.AllowScripts {
		if _, err := steps.ScriptUser(f.ScriptUser); err != nil {
			return workerOptions{}, nil, usagef("--script-user: %v", err)
		}
	}
	aopts, iopts, err := f.noticeFlags.options()
	if err != nil {
		return workerOptions{}, nil, err
	}
	path := f.AuditLog
	if path == "" {
		if stateDir == "" {
			var err error
			if stateDir, err = embedded.DefaultStateDir(); err != nil {
				return workerOptions{}, nil, err
			}
		}
		path = filepath.Join(stateDir, "audit.log")
	}
	token, err := f.slackToken()
	if err != nil {
		return workerOptions{}, nil, err
	}
	a, err := openAudit(path, stderr)
	if err != nil {
		return workerOptions{}, nil, err
	}
	o := workerOptions{allowScripts: f.AllowScripts, scriptUser: f.ScriptUser, allowPrivate: f.AllowPrivate, audit: a, archive: f.Archive, log: slog.New(slog.NewTextHandler(stderr, nil)),
		noticeActs: aopts, noticeInterp: iopts}
	if token != "" {
		o.noticeActs = append(o.noticeActs, steps.WithSlack(token, f.SlackAPIURL))
	}
	return o, func() { a.Close() }, nil
}

// scriptUserName names who scripts run as, for the log.
func scriptUserName(name string) string {
	switch {
	case name != "":
		return name
	case os.Geteuid() == 0:
		return "nobody"
	}
	return "the worker's"
}

// startWorker runs a worker of the interpreter workflow (only for the
// plans of o.catalog when set) and the AWS, HTTP and script activities on
// the task queue, and beside it the archiver when o.archive is set.
func startWorker(ctx context.Context, cl client.Client, o workerOptions) (worker.Worker, error) {
	// The AWS SDK logs only in the long-running commands: in run its
	// lines (credential fallbacks, checksum warnings) would interleave
	// with the timeline, and errors reach the steps anyway.
	lopts := []func(*config.LoadOptions) error{config.WithLogger(awsLogger(o.sdkLog))}
	if o.sdkLog != nil && o.sdkLog.Enabled(ctx, slog.LevelDebug) {
		lopts = append(lopts, config.WithClientLogMode(aws.LogRetries|aws.LogDeprecatedUsage))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lopts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	queue := cmp.Or(o.queue, engine.TaskQueue)
	w := worker.New(cl, queue, worker.Options{})
	var opts []steps.ActivitiesOption
	if o.allowScripts {
		opts = append(opts, steps.WithScripts(), steps.WithScriptUser(o.scriptUser))
		o.log.Info("script steps allowed", "user", scriptUserName(o.scriptUser))
	}
	if o.allowPrivate {
		opts = append(opts, steps.WithPrivateHTTP())
	}
	opts = append(opts, o.noticeActs...)
	iopts := append([]interp.Option{}, o.noticeInterp...)
	switch {
	case o.catalog != nil:
		iopts = append(iopts, interp.WithCatalog(o.catalog))
		o.log.Info("only plans of the catalog run", "plans", o.catalog.Len())
	case o.allowScripts:
		o.log.Warn("any plan runs, script steps included: whoever can start a workflow on this namespace can run programs here (--catalog-only)")
	}
	steps.Register(w, steps.NewActivities(cfg, opts...), o.audit, iopts...)
	if err := w.Start(); err != nil {
		return nil, err
	}
	if o.archive != "" {
		return startArchiver(ctx, cl, cfg, w, o), nil
	}
	return w, nil
}
