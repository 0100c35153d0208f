package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The cluster harness, part 1: a PostgreSQL server of its own, in a
// temporary directory, on a free port, for the Temporal cluster the
// cluster tests start (RUNBOOK_CLUSTER=1). It uses the host's
// PostgreSQL programs (Debian's postgresql package; .ci/run installs it).

// postgres is a running PostgreSQL server.
type postgres struct {
	port int
	dir  string   // data directory
	bin  string   // directory of initdb, pg_ctl, postgres
	as   []string // argv prefix that runs a command as the server's user
}

// pgBinDir finds initdb and pg_ctl: on the PATH, else in Debian's
// /usr/lib/postgresql/VERSION/bin (the newest).
func pgBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	best, bestV := "", -1
	for _, d := range dirs {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(d))))
		if err == nil && v > bestV {
			best, bestV = filepath.Dir(d), v
		}
	}
	if best == "" {
		return "", fmt.Errorf("no initdb on the PATH or in /usr/lib/postgresql/*/bin: install PostgreSQL (apt-get install postgresql)")
	}
	return best, nil
}

// startPostgres initializes a data directory and starts the server on a
// free port, trusting local connections as user postgres; it is stopped
// when the test ends. PostgreSQL refuses to run as root: as root, it runs
// as the postgres user (or nobody), in a directory that user owns.
func startPostgres(t testing.TB) *postgres {
	t.Helper()
	bin, err := pgBinDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "runbook-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg := &postgres{port: clusterPorts(t, 1)[0], dir: filepath.Join(dir, "data"), bin: bin}
	if os.Geteuid() == 0 {
		name := "postgres"
		u, err := user.Lookup(name)
		if err != nil {
			name = "nobody"
			if u, err = user.Lookup(name); err != nil {
				t.Fatalf("running as root and no postgres or nobody user to run PostgreSQL as: %v", err)
			}
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Fatalf("running as root without runuser to run PostgreSQL as %s: %v", name, err)
		}
		pg.as = []string{runuser, "-u", name, "--"}
	}
	pg.run(t, "initdb", "-D", pg.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=300", pg.port, dir)
	pg.run(t, "pg_ctl", "-D", pg.dir, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
	t.Cleanup(func() {
		if out, err := pg.command("pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			t.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Logf("PostgreSQL log (last 3000 bytes):\n%s", tail(string(log), 3000))
		}
	})
	return pg
}

// command runs one of the server's programs as the server's user.
func (pg *postgres) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, pg.as...), filepath.Join(pg.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = "/"
	return cmd
}

// run runs a program of the server and fails the test if it fails.
func (pg *postgres) run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := pg.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
