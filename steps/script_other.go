//go:build !unix

package steps

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// ownGroup does nothing where there are no process groups: only the
// program itself is killed at the deadline. Scripts run as the worker.
func ownGroup(*exec.Cmd, *struct{}) {}

// scriptUser: scripts run as the worker where there is no setuid.
func (a *Activities) scriptUser() (*struct{}, error) { return ScriptUser(a.scriptUserName) }

// ScriptUser refuses a name: scripts run as the worker here.
func ScriptUser(name string) (*struct{}, error) {
	if name != "" {
		return nil, errors.New("scripts run as the worker's user on this system: drop --script-user")
	}
	return nil, nil
}

// scriptDir is a new empty directory for a script.
func scriptDir(*struct{}) (string, error) { return os.MkdirTemp("", "runbook-script-") }

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
