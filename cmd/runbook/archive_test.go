package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/runbook-dev/runbook/engine"
)

const archivedRunbook = `apiVersion: runbook/v1
kind: Runbook
name: archived
version: 1.0.0
steps: [{name: note, log: done}]
`

// TestWorkerArchive: `runbook worker --archive s3://...` archives an
// execution that closed before it started to kumo's S3, with the AWS
// configuration of the environment, in a form `runbook replay` replays.
func TestWorkerArchive(t *testing.T) {
	env := e2eEnv(t)
	addr := e2eServer(t, env)
	dir := workdir(t, map[string]string{"archived.yaml": archivedRunbook})
	r := e2eRun(t, dir, env, "start", "archived.yaml", "--address", addr)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || id == "" {
		t.Fatal(r)
	}
	if r := e2eRun(t, dir, env, "watch", id, "--address", addr); r.code != 0 {
		t.Fatal(r)
	}
	waitVisible(t, addr, id)

	s3c := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(envValue(env, "AWS_ENDPOINT_URL")),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("e2e", "e2e", ""),
	})
	ctx := context.Background()
	bucket := fmt.Sprintf("archive-e2e-%d", time.Now().UnixNano())
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if r := e2eRun(t, dir, env, "worker", "--address", addr, "--archive", "s3://"); r.code != 2 || !strings.Contains(r.stderr, "--archive") {
		t.Errorf("--archive without a bucket: %s", r)
	}
	startChild(t, env, "archiving worker", `worker on `, "worker", "--address", addr, "--insecure-generated-key", "--archive", "s3://"+bucket+"/h")

	prefix := "h/" + url.PathEscape(id) + "/"
	var key string
	for deadline := time.Now().Add(30 * time.Second); key == ""; time.Sleep(200 * time.Millisecond) {
		out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) > 0 {
			key = aws.ToString(out.Contents[0].Key)
		}
		if key == "" && time.Now().After(deadline) {
			t.Fatalf("nothing archived under %s after 30s", prefix)
		}
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "history.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e2eRun(t, dir, env, "replay", file); r.code != 0 || !strings.Contains(r.stdout, "replays") {
		t.Errorf("replay of the archived %s: %s", key, r)
	}
}

// waitVisible waits until visibility lists execution id as closed, so
// that an archiver's first round finds it.
func waitVisible(t *testing.T, addr, id string) {
	t.Helper()
	cl, err := client.Dial(client.Options{HostPort: addr, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus != 'Running' AND WorkflowId = '%s'", engine.WorkflowName, id)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := cl.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Executions) == 1 {
			return
		}
	}
	t.Fatalf("%s not listed as closed after 30s", id)
}
