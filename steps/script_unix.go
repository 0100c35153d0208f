//go:build unix

package steps

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// ownGroup runs cmd in a process group of its own, so that killGroup
// reaches the programs it starts too, as user (nil: the worker's).
func ownGroup(cmd *exec.Cmd, user *syscall.Credential) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: user}
}

// killGroup kills cmd's process group.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// exitStatus is the exit code (128+N for signal N, as shells say) and how
// the program ended, for messages.
func exitStatus(ps *os.ProcessState) (int, string) {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), fmt.Sprintf("was killed by signal %d (%v)", int(ws.Signal()), ws.Signal())
	}
	return ps.ExitCode(), fmt.Sprintf("exited with status %d", ps.ExitCode())
}

// scriptUser is who scripts run as: WithScriptUser's, else nobody when
// the worker runs as root; nil: the worker's own user.
func (a *Activities) scriptUser() (*syscall.Credential, error) {
	return ScriptUser(a.scriptUserName)
}

// ScriptUser resolves who scripts run as given the name WithScriptUser
// would get ("": nobody when the worker runs as root); nil: the worker's
// own user. Workers call it at start to refuse a name they cannot use.
func ScriptUser(name string) (*syscall.Credential, error) {
	if name == "" {
		if os.Geteuid() != 0 {
			return nil, nil
		}
		name = "nobody"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("the user scripts run as: %v", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("the user scripts run as, %s: %v", name, err)
	}
	if os.Geteuid() != 0 && int(uid) != os.Geteuid() {
		return nil, fmt.Errorf("scripts cannot run as %s: only a worker running as root can run them as another user", name)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// scriptDir is a new empty directory for a script, its user's.
func scriptDir(cred *syscall.Credential) (string, error) {
	dir, err := os.MkdirTemp("", "runbook-script-")
	if err == nil && cred != nil {
		err = os.Chown(dir, int(cred.Uid), int(cred.Gid))
	}
	return dir, err
}
