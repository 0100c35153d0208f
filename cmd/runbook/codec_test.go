package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCodecKeyPerms: a --codec-key-file that group or others can read
// (anyone who reads it reads every history) is warned about, refused with
// --strict-perms; one only its owner reads passes quietly.
func TestCodecKeyPerms(t *testing.T) {
	hist, err := filepath.Abs("../../engine/interp/testdata/histories/cancel-finally.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	key := strings.TrimSpace(e2eRun(t, dir, os.Environ(), "keygen").stdout)
	if err := os.WriteFile(keys, []byte(key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(keys, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	replay := func(extra ...string) result {
		return e2eRun(t, dir, os.Environ(), append([]string{"replay", hist, "--codec-key-file", keys, "--state-dir", dir}, extra...)...)
	}
	if r := replay(); r.code != 0 || !strings.Contains(r.stderr, "warning: --codec-key-file "+keys+" can be read by group or others (mode 0644): chmod 600 it") {
		t.Errorf("a readable key file: want a warning\n%s", r)
	}
	if r := replay("--strict-perms"); r.code != 2 || !strings.Contains(r.stderr, "chmod 600 it") || strings.Contains(r.stdout, "replays") {
		t.Errorf("--strict-perms: want exit 2 before anything\n%s", r)
	}
	if err := os.Chmod(keys, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := replay("--strict-perms"); r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("a key file only its owner reads\n%s", r)
	}
}

// TestTokenFilePerms: a --token-file that group or others can read is
// warned about (the server, unreachable here, is not the point).
func TestTokenFilePerms(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("secret-token\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tok, 0o644); err != nil {
		t.Fatal(err)
	}
	status := func() result {
		return e2eRun(t, dir, os.Environ(), "status", "some-id", "--server", "http://127.0.0.1:1", "--token-file", tok)
	}
	if r := status(); r.code != 3 || !strings.Contains(r.stderr, "warning: --token-file "+tok+" can be read by group or others (mode 0644): chmod 600 it") {
		t.Errorf("a readable token file: want a warning, then unreachable\n%s", r)
	}
	if err := os.Chmod(tok, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := status(); r.code != 3 || strings.Contains(r.stderr, "warning") {
		t.Errorf("a token file only its owner reads\n%s", r)
	}
}
