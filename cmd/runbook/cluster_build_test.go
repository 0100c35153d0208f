package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The cluster harness, part 2: the Temporal server and its SQL tool, at
// the version go.mod pins (go.mod lists both as tools), built once into
// bin/temporal-VERSION/ of the repository and reused from there by every
// later test and benchmark run.

// temporalBuild is what the cluster needs from the server's module.
type temporalBuild struct {
	version   string // e.g. v1.32.1
	moduleDir string // where the module's schema files are
	server    string // temporal-server binary
	sqlTool   string // temporal-sql-tool binary
}

var (
	buildOnce sync.Once
	built     temporalBuild
	buildErr  string
)

// buildTemporal returns the binaries, building those that are missing.
func buildTemporal(t testing.TB) temporalBuild {
	t.Helper()
	buildOnce.Do(func() { built, buildErr = doBuildTemporal(t) })
	if buildErr != "" {
		t.Fatal(buildErr)
	}
	return built
}

func doBuildTemporal(t testing.TB) (temporalBuild, string) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", "go.temporal.io/server").Output()
	if err != nil {
		return temporalBuild{}, "go list -m go.temporal.io/server: " + err.Error()
	}
	version, moduleDir, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return temporalBuild{}, "go env GOMOD: " + err.Error()
	}
	dir := filepath.Join(filepath.Dir(strings.TrimSpace(string(gomod))), "bin", "temporal-"+version)
	b := temporalBuild{version: version, moduleDir: moduleDir,
		server: filepath.Join(dir, "temporal-server"), sqlTool: filepath.Join(dir, "temporal-sql-tool")}
	for pkg, dst := range map[string]string{"go.temporal.io/server/cmd/server": b.server, "go.temporal.io/server/cmd/tools/sql": b.sqlTool} {
		if _, err := os.Stat(dst); err == nil {
			t.Logf("%s: reusing %s", pkg, dst)
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return b, err.Error()
		}
		// Built beside, then renamed: a build cut short leaves no binary
		// that a later run would take for a whole one.
		tmp := fmt.Sprintf("%s.%d.tmp", dst, os.Getpid())
		began := time.Now()
		cmd := exec.Command("go", "build", "-o", tmp, pkg)
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, "go build " + pkg + ": " + err.Error() + "\n" + string(out)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return b, err.Error()
		}
		t.Logf("built %s@%s in %v", pkg, version, time.Since(began).Round(100*time.Millisecond))
	}
	return b, ""
}
