package steps

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
)

// keepAlive heartbeats while a call runs, at a third of the activity's
// heartbeat timeout, so that the server notices a lost worker within that
// timeout and retries elsewhere. A call shorter than the interval sends
// nothing, and so does a call made outside an activity. It returns the
// function that stops it.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	hb := activity.GetInfo(ctx).HeartbeatTimeout / 3
	if hb <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(hb)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}
