package archive_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/runbook-dev/runbook/engine/archive"
)

// TestArchiveS3 archives to a prefix of a bucket of kumo, the in-process
// AWS emulator: the same rounds as TestArchiveDir.
func TestArchiveS3(t *testing.T) {
	k := kumo.NewServer()
	t.Cleanup(k.Close)
	s3c := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(k.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDARCHIVE", "secret", ""),
	})
	ctx := context.Background()
	// kumo's state is process-wide: a bucket name no other run uses.
	bucket := fmt.Sprintf("runbook-archive-%d", time.Now().UnixNano())
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}

	e := newEnv(t)
	began := time.Now()
	ok, bad := e.start(okID, okSrc), e.start(failID, failSrc)
	e.start(slowID, slowSrc)
	e.finish(ok)
	e.finish(bad)
	e.waitClosed(2)

	a := &archive.Archiver{Client: e.cl, Dest: "s3://" + bucket + "/histories/prod/", S3: s3c}
	n, err := a.Once(ctx)
	if err != nil || n != 2 {
		t.Fatalf("first round: archived %d, err %v; want 2", n, err)
	}
	okKey := "histories/prod/" + archive.Name(okID, ok.GetRunID())
	badKey := "histories/prod/" + archive.Name(failID, bad.GetRunID())
	cpKey := "histories/prod/" + archive.Checkpoint
	if got, want := keys(t, s3c, bucket), sorted(cpKey, okKey, badKey); !slices.Equal(got, want) {
		t.Fatalf("archived objects %q, want %q", got, want)
	}
	checkHistory(t, okKey, object(t, s3c, bucket, okKey), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	checkHistory(t, badKey, object(t, s3c, bucket, badKey), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
	data, err := io.ReadAll(object(t, s3c, bucket, cpKey))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data)))
	if err != nil || cp.Before(began.Add(-archive.DefaultOverlap)) {
		t.Fatalf("checkpoint %q (%v) did not advance to the round's end less %v", data, err, archive.DefaultOverlap)
	}

	if n, err := a.Once(ctx); err != nil || n != 0 {
		t.Fatalf("second round: archived %d, err %v; want 0", n, err)
	}
}

// keys lists every key in bucket.
func keys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var out []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			out = append(out, aws.ToString(o.Key))
		}
	}
	return sorted(out...)
}

// object opens the object at key; it is closed when the test ends.
func object(t *testing.T, c *s3.Client, bucket, key string) io.Reader {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	t.Cleanup(func() { out.Body.Close() })
	return out.Body
}
