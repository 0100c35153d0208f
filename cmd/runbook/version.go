package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// versionCmd prints the version.
type versionCmd struct{}

// version and commit are set at link time: -ldflags "-X main.version=v1.2.3
// -X main.commit=SHA" (make build sets them from git, for the checkouts
// where the go command stamps no VCS information, git worktrees among them).
var version, commit = "", ""

// Run prints the version, the commit it was built from, the Go version
// and the platform:
//
//	runbook v1.2.0 (commit 1a2b3c4d5e6f, modified, 2026-05-01T10:00:00Z; go1.26.8 linux/amd64)
func (versionCmd) Run(e *env) error {
	bi, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintf(e.stdout, "runbook %s (%s)\n", buildVersion(), strings.Join(append(buildVCS(bi), runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH), "; "))
	return err
}

// buildVersion is the version set at link time, else the module version
// of a binary built by go install MODULE@VERSION, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// buildVCS describes the commit the go command stamped into a binary
// built in a checkout, "commit REV, modified, TIME", else the commit set
// at link time; nothing otherwise (go install MODULE@VERSION,
// -buildvcs=false).
func buildVCS(bi *debug.BuildInfo) []string {
	if bi == nil {
		return nil
	}
	var rev, modified, at string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			at = s.Value
		}
	}
	if rev == "" {
		rev = commit
	}
	if rev == "" {
		return nil
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	desc := "commit " + rev
	if modified == "true" {
		desc += ", modified"
	}
	if at != "" {
		desc += ", " + at
	}
	return []string{desc}
}
