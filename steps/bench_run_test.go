package steps_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/sivchari/kumo"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// The runbook and the hand-written workflow both make benchSteps calls of
// benchOp, one activity each, one after the other.
const (
	benchSteps = 50
	benchOp    = "sts:GetCallerIdentity"

	handwrittenWorkflow = "bench-handwritten"
	handwrittenActivity = "bench-GetCallerIdentity"
)

// benchRounds is the number of measured rounds of each benchmark below
// (RUNBOOK_BENCH_ROUNDS overrides it).
func benchRounds(def int) int {
	if n, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return def
}

// benchRunbook is the runbook of benchSteps read-only AWS steps.
func benchRunbook(tb testing.TB) *engine.Plan {
	tb.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: runbook/v1\nkind: Runbook\nname: bench-50\nversion: 1.0.0\nsteps:\n")
	for i := range benchSteps {
		fmt.Fprintf(&b, "  - name: call%02d\n    aws: %s\n", i+1, benchOp)
	}
	r := engine.Validate([]engine.File{{Path: "bench-50.yaml", Src: []byte(b.String())}},
		engine.Options{Kinds: steps.All(), Services: steps.AWS()})
	if len(r.Plans) != 1 {
		tb.Fatalf("benchmark runbook: %v", r.Diags)
	}
	p := r.Plans[0]
	if !p.Steps[0].ReadOnly {
		tb.Fatalf("%s is not read-only: the comparison assumes 3 attempts", benchOp)
	}
	return p
}

// benchHandwritten is the workflow a Temporal user would write by hand for the
// same job: the same activity options the interpreter gives a read-only
// aws step (StartToClose 2m, 3 attempts, 1s initial interval, backoff 2).
func benchHandwritten(ctx workflow.Context, n int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 3},
	})
	for range n {
		if err := workflow.ExecuteActivity(ctx, handwrittenActivity).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// benchDirect is the hand-written activity: the same SDK call, made directly
// with a client built once, without the SDK's own retries (as the engine's
// clients).
type benchDirect struct{ sts *sts.Client }

func newBenchDirect(cfg aws.Config) *benchDirect {
	cfg = cfg.Copy()
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	cfg.RetryMaxAttempts, cfg.RetryMode = 0, ""
	return &benchDirect{sts: sts.NewFromConfig(cfg)}
}

func (d *benchDirect) GetCallerIdentity(ctx context.Context) error {
	_, err := d.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	return err
}

// benchEnv is an embedded server with one worker, set up as `runbook run`
// sets up its own (startWorker): the interpreter and its activities, plus
// the hand-written workflow and its activity on the same task queue.
type benchEnv struct {
	srv *embedded.Server
	cl  client.Client
	w   worker.Worker
}

// benchAWS starts kumo and points the AWS SDK's default chain at it, as a
// user would with AWS_ENDPOINT_URL.
func benchAWS(b testing.TB) aws.Config {
	b.Helper()
	k := kumo.NewServer()
	b.Cleanup(k.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": k.URL, "AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
	} {
		b.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithLogger(logging.Nop{}))
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

var benchQuiet = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

func startBenchEnv(ctx context.Context, dir string, cfg aws.Config) (*benchEnv, error) {
	srv, err := embedded.Start(ctx, embedded.Config{StateDir: dir})
	if err != nil {
		return nil, err
	}
	e := &benchEnv{srv: srv}
	if e.cl, err = client.DialContext(ctx, client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: benchQuiet}); err != nil {
		srv.Stop()
		return nil, err
	}
	e.w = worker.New(e.cl, engine.TaskQueue, worker.Options{})
	steps.Register(e.w, steps.NewActivities(cfg), nil)
	e.w.RegisterWorkflowWithOptions(benchHandwritten, workflow.RegisterOptions{Name: handwrittenWorkflow})
	e.w.RegisterActivityWithOptions(newBenchDirect(cfg).GetCallerIdentity, activity.RegisterOptions{Name: handwrittenActivity})
	if err := e.w.Start(); err != nil {
		e.stop()
		return nil, err
	}
	return e, nil
}

func (e *benchEnv) stop() {
	if e.w != nil {
		e.w.Stop()
	}
	e.cl.Close()
	e.srv.Stop()
}

// benchSample is one execution: its wall time from the client's start call to
// its result, the time from that call to the first activity's start (from
// the history), and, for the runbook, each step's duration (StepRecord).
type benchSample struct {
	wall, first time.Duration
	steps       []time.Duration
}

var benchSeq atomic.Int64

func benchID(kind string) string {
	return fmt.Sprintf("bench-%s-%d-%d", kind, os.Getpid(), benchSeq.Add(1))
}

// runbook runs plan p as `runbook run` starts it (startExecution): the
// interpreter workflow with its summary and search attributes.
func (e *benchEnv) runbook(ctx context.Context, p *engine.Plan) (benchSample, error) {
	in := engine.Input{Plan: p, Params: map[string]any{}, StartedBy: "bench", Trigger: "manual"}
	opts, err := interp.StartOptions(in, benchID("runbook"))
	if err != nil {
		return benchSample{}, err
	}
	begin := time.Now()
	run, err := e.cl.ExecuteWorkflow(ctx, opts, engine.WorkflowName, in)
	if err != nil {
		return benchSample{}, err
	}
	var out engine.Outcome
	if err := run.Get(ctx, &out); err != nil {
		return benchSample{}, err
	}
	s := benchSample{wall: time.Since(begin)}
	if out.Status != engine.StatusSucceeded || len(out.Steps) != len(p.Steps) {
		return s, fmt.Errorf("runbook: %s with %d steps", out.Status, len(out.Steps))
	}
	for _, r := range out.Steps {
		s.steps = append(s.steps, r.End.Sub(r.Start))
	}
	s.first, err = e.firstStarted(ctx, run, begin)
	return s, err
}

// handwritten runs the hand-written workflow.
func (e *benchEnv) handwritten(ctx context.Context) (benchSample, error) {
	begin := time.Now()
	run, err := e.cl.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: benchID("handwritten"), TaskQueue: engine.TaskQueue},
		handwrittenWorkflow, benchSteps)
	if err != nil {
		return benchSample{}, err
	}
	if err := run.Get(ctx, nil); err != nil {
		return benchSample{}, err
	}
	s := benchSample{wall: time.Since(begin)}
	s.first, err = e.firstStarted(ctx, run, begin)
	return s, err
}

// firstStarted returns the time from begin to the start of run's first
// activity: its ActivityTaskStarted event, whose time is when a worker
// took the task (the server writes that event when the activity closes,
// but with the recorded start time).
func (e *benchEnv) firstStarted(ctx context.Context, run client.WorkflowRun, begin time.Time) (time.Duration, error) {
	it := e.cl.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, err
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED {
			return ev.GetEventTime().AsTime().Sub(begin), nil
		}
	}
	return 0, fmt.Errorf("%s: no activity started", run.GetID())
}

func benchMedian(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkEmbedded runs, in this process, on one embedded server and
// against kumo in-process, a runbook of 50 aws steps and a hand-written
// Temporal workflow making the same 50 calls as plain activities.
//
//   - compare: interleaved rounds of [runbook, hand-written] (their order
//     alternating), after one warm-up execution of each. runbook-ns/op and
//     handwritten-ns/op are the medians of the wall times (client's start
//     call to result); runbook/handwritten is the ratio of the medians.
//     ms/step is the median of the runbook's step durations (StepRecord End
//     minus Start, all steps of all rounds), wall-ms/step its median wall
//     time / 50. first-step-ms and handwritten-first-step-ms are the medians
//     of the time from the start call to the first ActivityTaskStarted
//     event, with the server, the worker and the workflow code warm.
//   - cold: the time from the start call to the first step, on the first
//     execution of a server and a worker started just before (as `runbook
//     run` on an embedded server); ms/first-step-from-start counts from
//     embedded.Start. These rounds start their own servers.
//
// The standard ns/op is suppressed: an op here is several executions.
func BenchmarkEmbedded(b *testing.B) {
	cfg := benchAWS(b)
	p := benchRunbook(b)
	ctx := context.Background()

	b.Run("compare", func(b *testing.B) {
		e, err := startBenchEnv(ctx, b.TempDir(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer e.stop()
		if _, err := e.runbook(ctx, p); err != nil {
			b.Fatal(err)
		}
		if _, err := e.handwritten(ctx); err != nil {
			b.Fatal(err)
		}
		rounds := benchRounds(10)
		var rb, hw, rbFirst, hwFirst, stepDurs, wallPerStep []time.Duration
		for b.Loop() {
			for i := range rounds {
				var r, h benchSample
				if i%2 == 0 {
					r, err = e.runbook(ctx, p)
					if err == nil {
						h, err = e.handwritten(ctx)
					}
				} else {
					h, err = e.handwritten(ctx)
					if err == nil {
						r, err = e.runbook(ctx, p)
					}
				}
				if err != nil {
					b.Fatal(err)
				}
				rb, hw = append(rb, r.wall), append(hw, h.wall)
				rbFirst, hwFirst = append(rbFirst, r.first), append(hwFirst, h.first)
				stepDurs = append(stepDurs, r.steps...)
				wallPerStep = append(wallPerStep, r.wall/benchSteps)
			}
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(benchMedian(rb)), "runbook-ns/op")
		b.ReportMetric(float64(benchMedian(hw)), "handwritten-ns/op")
		b.ReportMetric(float64(benchMedian(rb))/float64(benchMedian(hw)), "runbook/handwritten")
		b.ReportMetric(benchMS(benchMedian(stepDurs)), "ms/step")
		b.ReportMetric(benchMS(benchMedian(wallPerStep)), "wall-ms/step")
		b.ReportMetric(benchMS(benchMedian(rbFirst)), "first-step-ms")
		b.ReportMetric(benchMS(benchMedian(hwFirst)), "handwritten-first-step-ms")
	})

	b.Run("cold", func(b *testing.B) {
		rounds := benchRounds(3)
		var first, fromStart []time.Duration
		for b.Loop() {
			for range rounds {
				begin := time.Now()
				e, err := startBenchEnv(ctx, b.TempDir(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				started := time.Since(begin)
				s, err := e.runbook(ctx, p)
				e.stop()
				if err != nil {
					b.Fatal(err)
				}
				first, fromStart = append(first, s.first), append(fromStart, started+s.first)
			}
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(benchMS(benchMedian(first)), "ms/first-step")
		b.ReportMetric(benchMS(benchMedian(fromStart)), "ms/first-step-from-start")
	})
}
