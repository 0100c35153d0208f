//go:build !unix

package steps

import (
	"fmt"
	"os"
	"os/exec"
)

// ownGroup does nothing where there are no process groups: only the
// program itself is killed at the deadline.
func ownGroup(*exec.Cmd) {}

// killGroup kills cmd's process.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}

// exitStatus is the exit code and how the program ended.
func exitStatus(ps *os.ProcessState) (int, string) {
	return ps.ExitCode(), fmt.Sprintf("exited with status %d", ps.ExitCode())
}
