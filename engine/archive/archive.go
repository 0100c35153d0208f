package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/runbook-dev/runbook/engine"
)

const (
	// DefaultOverlap is the Overlap when none is set.
	DefaultOverlap = time.Minute
	// FirstWindow is how far back the first round (no checkpoint yet) looks.
	FirstWindow = 7 * 24 * time.Hour
	// DefaultInterval is the time between rounds when Interval is zero.
	DefaultInterval = 5 * time.Minute
)

// Archiver archives the histories of closed executions to Dest.
type Archiver struct {
	// Client is the Temporal client whose namespace is archived.
	Client client.Client
	// Dest is a directory or s3://BUCKET/PREFIX.
	Dest string
	// Interval is the time between rounds of Run (DefaultInterval if zero).
	Interval time.Duration
	// S3 is the client an s3:// Dest is written with.
	S3 *s3.Client
	// Overlap is how far before the end of the last round the next one
	// starts listing, so that an execution visibility shows late is still
	// found (DefaultOverlap if zero).
	Overlap time.Duration
	// Logger receives a line per archived batch and per error (none if nil).
	Logger *slog.Logger
}

// Run archives a round every Interval until ctx ends. Errors of a round are
// logged, and what failed is tried again next round; Run returns an error
// only for a Dest it cannot write to at all.
func (a *Archiver) Run(ctx context.Context) error {
	st, err := a.store()
	if err != nil {
		return err
	}
	interval := a.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	for {
		n, err := a.round(ctx, st)
		if ctx.Err() != nil {
			return nil
		}
		if n > 0 {
			a.logger().Info("archived execution histories", "count", n, "dest", a.Dest)
		}
		if err != nil {
			a.logger().Warn("archive round incomplete; retrying next round", "dest", a.Dest, "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// Once runs one round: it archives every execution closed since the
// checkpoint that is not archived yet and returns how many it wrote. The
// error joins the executions it could not archive; the others are
// archived all the same.
func (a *Archiver) Once(ctx context.Context) (archived int, err error) {
	st, err := a.store()
	if err != nil {
		return 0, err
	}
	return a.round(ctx, st)
}

// round lists the executions closed in (checkpoint, now] and archives them.
// Visibility lists newest first (SQL visibility accepts no ORDER BY), so
// the checkpoint can only move once the whole listing is walked: to now,
// or to the close time of the earliest execution that failed, less Overlap.
func (a *Archiver) round(ctx context.Context, st store) (int, error) {
	from, err := readCheckpoint(ctx, st)
	if err != nil {
		return 0, err
	}
	upper := time.Now().UTC()
	if from.IsZero() {
		from = upper.Add(-FirstWindow)
	}
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'Running' AND CloseTime > '%s' AND CloseTime <= '%s'",
		engine.WorkflowName, from.Format(time.RFC3339Nano), upper.Format(time.RFC3339Nano))
	safe, archived := upper, 0
	var errs []error
	var token []byte
	for {
		resp, err := a.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token})
		if err != nil {
			return archived, errors.Join(append(errs, fmt.Errorf("list closed executions: %w", err))...)
		}
		for _, x := range resp.Executions {
			wrote, err := a.archive(ctx, st, x.GetExecution())
			if err != nil {
				err = fmt.Errorf("%s (run %s): %w", x.GetExecution().GetWorkflowId(), x.GetExecution().GetRunId(), err)
				a.logger().Warn("cannot archive execution", "error", err)
				errs = append(errs, err)
				if t := x.GetCloseTime().AsTime(); t.Before(safe) {
					safe = t
				}
				continue
			}
			if wrote {
				archived++
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	overlap := a.Overlap
	if overlap <= 0 {
		overlap = DefaultOverlap
	}
	if next := safe.Add(-overlap); next.After(from) {
		if err := writeCheckpoint(ctx, st, next); err != nil {
			errs = append(errs, err)
		}
	}
	return archived, errors.Join(errs...)
}

// archive writes the history of ex unless it is archived already, and
// reports whether it wrote it. A history Temporal no longer has (retention
// passed) is logged and skipped.
func (a *Archiver) archive(ctx context.Context, st store, ex *commonpb.WorkflowExecution) (bool, error) {
	name := Name(ex.GetWorkflowId(), ex.GetRunId())
	if ok, err := st.exists(ctx, name); err != nil || ok {
		return false, err
	}
	h, err := engine.FetchHistory(ctx, a.Client, ex.GetWorkflowId(), ex.GetRunId())
	var gone *serviceerror.NotFound
	if errors.As(err, &gone) {
		a.logger().Warn("history no longer in Temporal; not archived", "id", ex.GetWorkflowId(), "run", ex.GetRunId())
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read history: %w", err)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		return false, err
	}
	if err := st.put(ctx, name, data); err != nil {
		return false, fmt.Errorf("write: %w", err)
	}
	return true, nil
}

// Name is where, under the destination, the history of run runID of
// execution id is archived: "<escaped id>/<escaped run ID>.json". Workflow
// IDs hold '/', ':' and spaces; escaping keeps each one a single path
// element.
func Name(id, runID string) string {
	return escape(id) + "/" + escape(runID) + ".json"
}

// escape is url.PathEscape, with "." and ".." (which would climb out of
// the destination) escaped too.
func escape(s string) string {
	e := url.PathEscape(s)
	if e == "." || e == ".." {
		e = strings.ReplaceAll(e, ".", "%2E")
	}
	return e
}

func (a *Archiver) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}
