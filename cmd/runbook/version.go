package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionCmd prints the version.
type versionCmd struct{}

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = ""

// Run prints the version, the Go version and the platform.
func (versionCmd) Run(e *env) error {
	_, err := fmt.Fprintf(e.stdout, "runbook %s (%s %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

// buildVersion is the version set at link time, else the module version
// of an installed binary, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
