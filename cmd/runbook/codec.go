package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
)

// codecFlags choose the keys of the payload codec. With a configured key
// every payload of the history is encrypted (AES-256-GCM, the key ID in
// each payload: list the new key first to rotate, keep the old ones to
// read older histories); without one, the payloads that carry a secret
// are, with the key generated in the state directory (codec.key).
type codecFlags struct {
	CodecKeyFile string `name:"codec-key-file" placeholder:"FILE" type:"path" env:"RUNBOOK_CODEC_KEY_FILE" help:"Keys (ID:BASE64 lines, the first seals) that encrypt every payload of execution histories; default: only payloads carrying secrets, with the state directory's generated key."`
	StrictPerms  bool   `name:"strict-perms" help:"Refuse a --codec-key-file that group or others can read (default: warn)."`
	CodecKeys    string `name:"codec-keys" hidden:"" env:"RUNBOOK_CODEC_KEYS" help:"Keys as --codec-key-file holds them, comma-separated."`

	once sync.Once
	c    *engine.Codec
	err  error
}

// codec builds the codec once: the configured keys (with the generated
// one, if any, to open what it sealed), else the generated key of
// stateDir (the default state directory when empty), created if missing.
func (f *codecFlags) codec(stateDir string) (*engine.Codec, error) {
	f.once.Do(func() { f.c, f.err = f.build(stateDir) })
	return f.c, f.err
}

func (f *codecFlags) build(stateDir string) (*engine.Codec, error) {
	if stateDir == "" {
		var err error
		if stateDir, err = embedded.DefaultStateDir(); err != nil {
			return nil, err
		}
	}
	var ring *engine.Keyring
	var err error
	switch {
	case f.CodecKeyFile != "":
		var b []byte
		if b, err = os.ReadFile(f.CodecKeyFile); err != nil {
			return nil, usagef("--codec-key-file: %v", err)
		}
		if err := f.checkPerms(); err != nil {
			return nil, err
		}
		ring, err = engine.ParseKeys(string(b), f.CodecKeyFile)
	case f.CodecKeys != "":
		ring, err = engine.ParseKeys(f.CodecKeys, "RUNBOOK_CODEC_KEYS")
	default:
		ring, err = engine.GeneratedKey(stateDir)
		return &engine.Codec{Keys: ring}, err
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	if b, gerr := os.ReadFile(filepath.Join(stateDir, engine.GeneratedKeyFile)); gerr == nil {
		if gen, perr := engine.ParseKeys(string(b), engine.GeneratedKeyFile); perr == nil {
			ring.Merge(gen)
		}
	} else if !errors.Is(gerr, os.ErrNotExist) {
		return nil, gerr
	}
	return &engine.Codec{Keys: ring, All: true}, nil
}

// checkPerms warns, or with --strict-perms refuses, when the key file is
// readable by group or others: anyone who can read it reads every history.
func (f *codecFlags) checkPerms() error {
	return checkPerms("--codec-key-file", f.CodecKeyFile, f.StrictPerms, " (--strict-perms refuses it)")
}

// checkPerms warns (the message ending with hint) when the secret file
// path, given by flag, is readable by group or others; strict refuses it
// instead.
func checkPerms(flag, path string, strict bool, hint string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return err
	}
	msg := fmt.Sprintf("%s %s can be read by group or others (mode %04o): chmod 600 it", flag, path, fi.Mode().Perm())
	if strict {
		return usagef("%s", msg)
	}
	fmt.Fprintln(os.Stderr, "warning: "+msg+hint)
	return nil
}

// keygenCmd prints a new codec key.
type keygenCmd struct{}

// Run prints a random key entry for a keys file: list it first to seal
// new payloads with it, and keep the older keys after it.
func (keygenCmd) Run(e *env) error {
	_, err := fmt.Fprintln(e.stdout, engine.NewKey())
	return err
}
