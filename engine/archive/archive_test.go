package archive_test

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/runbook-dev/runbook/engine/archive"
)

// IDs with the characters that must be escaped in a path.
const (
	okID   = "archived/ok: one"
	failID = "archived/fail: two"
	slowID = "archived/slow: three"
)

func TestArchiveDir(t *testing.T) {
	e := newEnv(t)
	began := time.Now()
	ok, bad := e.start(okID, okSrc), e.start(failID, failSrc)
	slow := e.start(slowID, slowSrc)
	e.finish(ok)
	e.finish(bad)
	e.waitClosed(2)

	dir := t.TempDir()
	a := &archive.Archiver{Client: e.cl, Dest: dir}
	ctx := context.Background()
	n, err := a.Once(ctx)
	if err != nil || n != 2 {
		t.Fatalf("first round: archived %d, err %v; want 2", n, err)
	}
	okName, badName := archive.Name(okID, ok.GetRunID()), archive.Name(failID, bad.GetRunID())
	if got, want := files(t, dir), sorted(archive.Checkpoint, okName, badName); !slices.Equal(got, want) {
		t.Fatalf("archived files %q, want %q", got, want)
	}
	if !strings.HasPrefix(okName, url.PathEscape(okID)+"/") || strings.Count(okName, "/") != 1 {
		t.Fatalf("name %q: the workflow ID is not one escaped path element", okName)
	}
	readDir(t, dir, okName, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	readDir(t, dir, badName, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
	cp := checkpoint(t, dir)
	if cp.Before(began.Add(-archive.DefaultOverlap)) || cp.After(time.Now()) {
		t.Fatalf("checkpoint %v did not advance to the round's end less %v (began %v)", cp, archive.DefaultOverlap, began)
	}

	if n, err := a.Once(ctx); err != nil || n != 0 {
		t.Fatalf("second round: archived %d, err %v; want 0", n, err)
	}

	// The running execution is archived in a later round, once it ends.
	if err := e.cl.TerminateWorkflow(ctx, slowID, "", "test"); err != nil {
		t.Fatal(err)
	}
	e.waitClosed(3)
	if n, err := a.Once(ctx); err != nil || n != 1 {
		t.Fatalf("round after the termination: archived %d, err %v; want 1", n, err)
	}
	readDir(t, dir, archive.Name(slowID, slow.GetRunID()), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED)
}

// TestArchiveRetry: an execution that cannot be written is reported, holds
// the checkpoint back, and is archived in the next round; the others are
// archived all the same.
func TestArchiveRetry(t *testing.T) {
	e := newEnv(t)
	ok, bad := e.start(okID, okSrc), e.start(failID, failSrc)
	e.finish(ok)
	e.finish(bad)
	e.waitClosed(2)

	dir := t.TempDir()
	// A file where the failed execution's directory must go.
	block := filepath.Join(dir, url.PathEscape(failID))
	if err := os.WriteFile(block, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// An overlap of a nanosecond: the checkpoint is held back only by the
	// failure, not by a minute of overlap.
	a := &archive.Archiver{Client: e.cl, Dest: dir, Overlap: time.Nanosecond}
	ctx := context.Background()
	n, err := a.Once(ctx)
	if n != 1 || err == nil || !strings.Contains(err.Error(), failID) {
		t.Fatalf("blocked round: archived %d, err %v; want 1 and an error naming %s", n, err, failID)
	}
	desc, err := e.cl.DescribeWorkflowExecution(ctx, failID, "")
	if err != nil {
		t.Fatal(err)
	}
	closed := desc.GetWorkflowExecutionInfo().GetCloseTime().AsTime()
	if cp := checkpoint(t, dir); !cp.Before(closed) {
		t.Fatalf("checkpoint %v is past the unarchived execution closed at %v", cp, closed)
	}

	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Once(ctx); err != nil || n != 1 {
		t.Fatalf("round after unblocking: archived %d, err %v; want 1", n, err)
	}
	readDir(t, dir, archive.Name(failID, bad.GetRunID()), enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
	if cp := checkpoint(t, dir); !cp.After(closed) {
		t.Fatalf("checkpoint %v did not advance once all was archived", cp)
	}
}

// files lists the files under dir, as slash-separated relative names.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sorted(out...)
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func readDir(t *testing.T, dir, name string, last enumspb.EventType) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkHistory(t, name, f, last)
}

func checkpoint(t *testing.T, dir string) time.Time {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, archive.Checkpoint))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return cp
}
