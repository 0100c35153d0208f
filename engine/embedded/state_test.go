package embedded

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestNewerFormatRefused(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`CREATE TABLE runbook_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
		INSERT INTO runbook_meta VALUES ('format', '99')`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(context.Background(), Config{StateDir: dir})
	want := "state in " + dir + " was written by a newer runbook (format 99); " +
		"this build reads format 1: upgrade runbook or use another --state-dir"
	if err == nil || err.Error() != want || !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("Start on format 99: %v", err)
	}
	// Refused before anything was written, and the lock is released.
	if _, err := os.Stat(filepath.Join(dir, dbFileName)); err != nil {
		t.Fatal(err)
	}
	if l, err := lockDir(dir); err != nil {
		t.Errorf("lock after refusal: %v", err)
	} else {
		l.release()
	}
}

func TestStateDirMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "state")
	s := start(t, Config{StateDir: dir})
	defer s.Stop()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %v", fi.Mode().Perm())
	}
	for _, name := range []string{dbFileName, dbFileName + "-wal", lockFileName} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", name, fi.Mode().Perm())
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, dbFileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode, format string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v", mode, err)
	}
	if err := db.QueryRow(`SELECT value FROM runbook_meta WHERE key = 'format'`).Scan(&format); err != nil || format != "1" {
		t.Errorf("format record %q, %v", format, err)
	}
}

func TestLockRefusesSecondHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockDir(dir)
	want := "another runbook server is using " + dir + " (pid " + strconv.Itoa(os.Getpid()) + ")"
	if err == nil || err.Error() != want {
		t.Errorf("second lock: %v, want %q", err, want)
	}
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	l, err = lockDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l.release()
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	if d, _ := DefaultStateDir(); d != "/x/state/runbook" {
		t.Errorf("with XDG_STATE_HOME: %s", d)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := DefaultStateDir(); d != "/home/u/.local/state/runbook" {
		t.Errorf("without XDG_STATE_HOME: %s", d)
	}
}

// BenchmarkStart measures Start on a fresh state directory and on an existing one
// (Stop is not timed), and reports the median.
func BenchmarkStart(b *testing.B) {
	b.Run("fresh", func(b *testing.B) {
		benchmarkStart(b, func() string { return b.TempDir() })
	})
	b.Run("existing", func(b *testing.B) {
		dir := b.TempDir()
		s, err := Start(context.Background(), Config{StateDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		s.Stop()
		benchmarkStart(b, func() string { return dir })
	})
}

func benchmarkStart(b *testing.B, stateDir func() string) {
	var times []time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := stateDir()
		b.StartTimer()
		begin := time.Now()
		s, err := Start(context.Background(), Config{StateDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(begin))
		b.StopTimer()
		s.Stop()
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/start")
}
