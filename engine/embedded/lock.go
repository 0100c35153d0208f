package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// errLocked is returned by tryLock when another open file holds the lock.
var errLocked = errors.New("locked")

// dirLock is an exclusive lock on a state directory: an flock on StateDir/server.lock,
// which also records the holder's pid. The kernel drops it when the process dies,
// so a stale file never blocks a later start.
type dirLock struct {
	f *os.File
}

// lockDir takes the lock of dir or says which process holds it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state dir: %w", err)
	}
	if err := tryLock(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("another runbook server is using %s (pid %s)", dir, holder(path))
		}
		return nil, fmt.Errorf("lock state dir %s: %w", dir, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// holder reads the pid recorded in the lock file.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if pid := strings.TrimSpace(string(b)); err == nil && pid != "" {
		return pid
	}
	return "unknown"
}

// release drops the lock. The file stays: removing it would race with a process
// that has just opened it.
func (l *dirLock) release() error {
	if l.f == nil {
		return nil
	}
	_ = unlock(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}
