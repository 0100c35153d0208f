package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/runbook-dev/runbook/engine/interp"
)

// trailQueue bounds the refusals waiting to be written to the trail.
const trailQueue = 256

// putter writes a named object: the archive destination (archive.Archiver).
type putter interface {
	Put(ctx context.Context, name string, data []byte) error
}

// auditTrail writes each refused decision as its own object under
// audit/DAY/ of the archive destination, the one place every worker of a
// deployment writes to (S3 has no append): the deployment's audit trail,
// whichever worker's validator refused. Writes happen in the background,
// never in the workflow task that refused; when the queue is full a
// refusal is only logged.
type auditTrail struct {
	dest  putter
	queue chan interp.Refusal
	log   *slog.Logger
}

// startTrail writes refusals to dest until ctx ends.
func startTrail(ctx context.Context, dest putter, log *slog.Logger) *auditTrail {
	t := &auditTrail{dest: dest, queue: make(chan interp.Refusal, trailQueue), log: log}
	go func() {
		for {
			select {
			case r := <-t.queue:
				t.write(ctx, r)
			case <-ctx.Done():
				return
			}
		}
	}()
	return t
}

// add queues r.
func (t *auditTrail) add(r interp.Refusal) {
	select {
	case t.queue <- r:
	default:
		t.log.Error("audit trail: queue full, refusal not written there", "execution", r.Execution, "identity", r.Identity)
	}
}

func (t *auditTrail) write(ctx context.Context, r interp.Refusal) {
	data, _ := json.Marshal(r)
	if err := t.dest.Put(ctx, trailName(r), append(data, '\n')); err != nil {
		t.log.Error("audit trail: write failed", "execution", r.Execution, "identity", r.Identity, "error", err)
	}
}

// trailName is audit/YYYY-MM-DD/TIME-EXECUTION-RANDOM.json: sorted by
// time within a day, never overwriting another refusal.
func trailName(r interp.Refusal) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	at := r.Time.UTC()
	return fmt.Sprintf("audit/%s/%s-%s-%s.json", at.Format(time.DateOnly), at.Format("150405.000000000"), url.PathEscape(r.Execution), hex.EncodeToString(b))
}
