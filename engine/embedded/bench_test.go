package embedded

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchIdleEnv, set to a state directory, makes TestBenchIdleServerChild
// the child process of BenchmarkIdleRSS.
const benchIdleEnv = "RUNBOOK_BENCH_IDLE_SERVER"

// TestBenchIdleServerChild is BenchmarkIdleRSS's child (skipped unless
// benchIdleEnv is set): it prints "init", starts a server on the state
// directory benchIdleEnv names, prints "ready MS" (MS: Start's duration),
// then idles until its stdin closes and stops the server.
func TestBenchIdleServerChild(t *testing.T) {
	dir := os.Getenv(benchIdleEnv)
	if dir == "" {
		t.Skip("the child process of BenchmarkIdleRSS")
	}
	fmt.Println("init")
	begin := time.Now()
	s, err := Start(context.Background(), Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ready %d\n", time.Since(begin).Microseconds())
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkIdleRSS starts an embedded server (fresh state directory) in a
// child process, this test binary run again as TestBenchIdleServerChild,
// and reads the child's /proc/PID/status: MB-before-start is VmRSS once the
// process has initialised (before Start), MB-idle is VmRSS 5 s after Start
// returned, MB-peak is VmHWM then. ms/start-new-process is Start's duration
// in that fresh process (BenchmarkStart measures Start in a warm one).
// Medians over the rounds (RUNBOOK_BENCH_ROUNDS, default 3); the standard
// ns/op is suppressed.
func BenchmarkIdleRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc")
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	var before, idle, peak, start []float64
	for b.Loop() {
		for range rounds {
			r := benchIdleChild(b, 5*time.Second)
			before, idle, peak, start = append(before, r.before), append(idle, r.idle), append(peak, r.peak), append(start, r.startMS)
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(benchMedian(before), "MB-before-start")
	b.ReportMetric(benchMedian(idle), "MB-idle")
	b.ReportMetric(benchMedian(peak), "MB-peak")
	b.ReportMetric(benchMedian(start), "ms/start-new-process")
}

type benchIdleResult struct{ before, idle, peak, startMS float64 }

// benchIdleChild runs one child: it waits for "ready", waits settle, reads
// the memory figures, then closes the child's stdin and waits for it.
func benchIdleChild(b *testing.B, settle time.Duration) benchIdleResult {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchIdleServerChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), benchIdleEnv+"="+b.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := false
	defer func() {
		if !done {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	var r benchIdleResult
	lines := bufio.NewScanner(stdout)
	next := func(prefix string) string {
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), prefix); ok {
				return rest
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		done = true
		b.Fatalf("child ended before %q: %s", prefix, stderr.String())
		return ""
	}
	next("init")
	r.before = benchProcStatusMB(b, cmd.Process.Pid, "VmRSS")
	us, err := strconv.ParseFloat(strings.TrimSpace(next("ready ")), 64)
	if err != nil {
		b.Fatal(err)
	}
	r.startMS = us / 1000
	time.Sleep(settle)
	r.idle = benchProcStatusMB(b, cmd.Process.Pid, "VmRSS")
	r.peak = benchProcStatusMB(b, cmd.Process.Pid, "VmHWM")
	stdin.Close()
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	done = true
	if err != nil {
		b.Fatalf("child: %v\n%s", err, stderr.String())
	}
	return r
}

// benchProcStatusMB reads a "kB" field of /proc/PID/status, in MB.
func benchProcStatusMB(b *testing.B, pid int, field string) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatalf("%s: %q", field, rest)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func benchMedian(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
