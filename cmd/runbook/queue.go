package main

import (
	"context"
	"fmt"
	"io"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// warnIdleQueues says which task queues of p (and of the plans it runs)
// no worker polls: an execution there waits until one does. It says
// nothing when Temporal does not answer in time.
func warnIdleQueues(ctx context.Context, cl client.Client, p *engine.Plan, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	for _, q := range interp.Queues(p) {
		resp, err := cl.DescribeTaskQueue(ctx, q, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err != nil || len(resp.GetPollers()) > 0 {
			continue
		}
		fmt.Fprintf(stderr, "runbook: warning: no worker polls task queue %q, which %s@%s needs: its execution waits until one does (runbook worker --task-queue %s)\n", q, p.Name, p.Version, q)
	}
}
