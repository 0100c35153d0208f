package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Whole-process benchmarks of the binary TestMain builds: each round execs
// it once and times it from exec to exit. Each reports the median of its
// rounds as ms/op (and as ns/op, in place of the mean over iterations);
// RUNBOOK_BENCH_ROUNDS overrides the number of rounds.

func benchProcRounds(def int) int {
	if n, err := strconv.Atoi(os.Getenv("RUNBOOK_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return def
}

// benchProcEnv is the environment of the benchmarked processes: no
// Temporal connection settings (run --embedded refuses --address), AWS
// configuration that reads no files.
func benchProcEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") && !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "RUNBOOK_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
}

// benchRun is one run of the binary: its wall time, the time until its
// stderr first had a line containing the mark (0 if none), its CPU time
// (user and system) and its peak RSS.
type benchRun struct {
	wall, marked, cpu time.Duration
	maxRSSMB          float64
}

// benchExec runs the binary once in dir. A non-zero exit fails the
// benchmark.
func benchExec(b *testing.B, dir, mark string, args ...string) benchRun {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, benchProcEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	pr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var r benchRun
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if mark != "" && r.marked == 0 && strings.Contains(sc.Text(), mark) {
			r.marked = time.Since(begin)
		}
		stderr.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	r.wall = time.Since(begin)
	if err != nil {
		b.Fatalf("runbook %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSSMB = float64(ru.Maxrss) / 1024 // kB on Linux
	}
	return r
}

// benchRuns collects runs and reports their medians: ms/op (and ns/op,
// in place of the mean over iterations), cpu-ms/op, MB-maxrss and, with a
// mark, ms/<mark>.
type benchRuns []benchRun

func (rs benchRuns) report(b *testing.B, mark string) {
	median := func(f func(benchRun) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		slices.Sort(xs)
		if len(xs)%2 == 0 {
			return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
		}
		return xs[len(xs)/2]
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	wall := median(func(r benchRun) float64 { return ms(r.wall) })
	b.ReportMetric(wall*1e6, "ns/op")
	b.ReportMetric(wall, "ms/op")
	b.ReportMetric(median(func(r benchRun) float64 { return ms(r.cpu) }), "cpu-ms/op")
	b.ReportMetric(median(func(r benchRun) float64 { return r.maxRSSMB }), "MB-maxrss")
	if mark != "" {
		b.ReportMetric(median(func(r benchRun) float64 { return ms(r.marked) }), "ms/"+mark)
	}
}

// benchProcess times rounds runs of the binary with args in dir and
// reports the median.
func benchProcess(b *testing.B, rounds int, dir string, args ...string) {
	var runs benchRuns
	for b.Loop() {
		for range rounds {
			runs = append(runs, benchExec(b, dir, "", args...))
		}
	}
	runs.report(b, "")
}

// BenchmarkVersionProcess is the bare start-up cost of the binary: `runbook
// version` does nothing but print, so its time is process creation, the
// runtime and every package's initialisation.
func BenchmarkVersionProcess(b *testing.B) {
	benchProcess(b, benchProcRounds(20), "../..", "version")
}

// BenchmarkValidateProcess is `runbook validate examples/dynamodb-table.yaml`
// from the repository's root, as a pre-commit hook runs it.
func BenchmarkValidateProcess(b *testing.B) {
	benchProcess(b, benchProcRounds(20), "../..", "validate", "examples/dynamodb-table.yaml")
}

// benchLogRunbook is a one-step runbook that calls nothing.
const benchLogRunbook = `apiVersion: runbook/v1
kind: Runbook
name: bench-log
version: 1.0.0
steps:
  - name: hello
    log: hello from the benchmark
`

// BenchmarkRunProcess is `runbook run` of a one-step log runbook on an
// embedded server (--embedded --state-dir DIR), the whole process: start-up,
// the embedded server's start, the execution, the server's stop, the exit.
// fresh gives every round a new state directory (the database is
// created); existing reuses one (created by an untimed run first).
// ms/started is the median time from exec to the "started:" line, when the
// execution has been started on the embedded server.
func BenchmarkRunProcess(b *testing.B) {
	dir := b.TempDir()
	file := filepath.Join(dir, "bench-log.yaml")
	if err := os.WriteFile(file, []byte(benchLogRunbook), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, rounds int, stateDir func() string) {
		var runs benchRuns
		for b.Loop() {
			for range rounds {
				runs = append(runs, benchExec(b, dir, " started: ", "run", file, "--embedded", "--state-dir", stateDir()))
			}
		}
		runs.report(b, "started")
	}
	b.Run("fresh", func(b *testing.B) {
		run(b, benchProcRounds(3), func() string { return b.TempDir() })
	})
	b.Run("existing", func(b *testing.B) {
		state := b.TempDir()
		benchExec(b, dir, "", "run", file, "--embedded", "--state-dir", state)
		run(b, benchProcRounds(3), func() string { return state })
	})
}
