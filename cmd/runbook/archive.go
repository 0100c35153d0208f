package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/runbook-dev/runbook/engine/archive"
)

// archivingWorker is a worker that also archives the histories of closed
// executions (--archive) until it stops.
type archivingWorker struct {
	worker.Worker
	cancel context.CancelFunc
	done   chan struct{}
}

// Stop stops the archiver, then the worker (whose client the archiver
// uses).
func (w *archivingWorker) Stop() {
	w.cancel()
	<-w.done
	w.Worker.Stop()
}

// startArchiver archives to o.archive beside w until ctx ends or the
// returned worker stops. An s3:// destination is written with the worker's
// AWS configuration, path-style when an endpoint is set (emulators).
func startArchiver(ctx context.Context, cl client.Client, cfg aws.Config, w worker.Worker, o workerOptions) worker.Worker {
	a := &archive.Archiver{Client: cl, Dest: o.archive, Logger: o.log}
	if archive.IsS3(o.archive) {
		a.S3 = s3.NewFromConfig(cfg, func(so *s3.Options) {
			so.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
		})
	}
	ctx, cancel := context.WithCancel(ctx)
	aw := &archivingWorker{Worker: w, cancel: cancel, done: make(chan struct{})}
	o.log.Info("archiving closed executions", "dest", o.archive)
	if al, ok := o.audit.(*auditLog); ok {
		al.trail.Store(startTrail(ctx, a, o.log))
	}
	go func() {
		defer close(aw.done)
		if err := a.Run(ctx); err != nil {
			o.log.Error("archiving stopped", "dest", o.archive, "error", err)
		}
	}()
	return aw
}
