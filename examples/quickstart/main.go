// Command quickstart runs a real runbook end to end with nothing to install
// but Go: it starts an AWS emulator (github.com/sivchari/kumo) in this
// process, then `runbook run examples/dynamodb-table.yaml`, which runs the
// runbook as a durable Temporal workflow on an embedded Temporal server and
// calls the emulator through the AWS SDK's standard AWS_ENDPOINT_URL.
//
//	go run ./examples/quickstart
//
// Run it from the repository's root. Extra arguments go to `runbook run`.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/sivchari/kumo"
)

func main() {
	os.Exit(run())
}

func run() int {
	if _, err := os.Stat("examples/dynamodb-table.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: run me from the repository's root: go run ./examples/quickstart")
		return 2
	}
	aws := kumo.NewServer()
	defer aws.Close()
	state, err := os.MkdirTemp("", "runbook-quickstart-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		return 1
	}
	defer os.RemoveAll(state)
	fmt.Fprintf(os.Stderr, "AWS emulator (kumo) on %s; Temporal state in %s\n", aws.URL, state)

	table := fmt.Sprintf("quickstart-%d", time.Now().Unix())
	args := append([]string{"run", "./cmd/runbook", "run", "examples/dynamodb-table.yaml",
		"-p", "TableName=" + table, "-p", "Marker=hello from the quickstart",
		"--embedded", "--state-dir", filepath.Join(state, "runbook")}, os.Args[1:]...)
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"AWS_ENDPOINT_URL="+aws.URL,
		"AWS_ACCESS_KEY_ID=quickstart", "AWS_SECRET_ACCESS_KEY=quickstart", "AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	)
	if err := cmd.Run(); err != nil {
		if x, ok := err.(*exec.ExitError); ok {
			return x.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		return 1
	}
	return 0
}
