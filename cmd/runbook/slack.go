package main

import (
	"os"
	"strings"
)

// slackToken reads --slack-token-file: "" when not given.
func (f workerFlags) slackToken() (string, error) {
	if f.SlackTokenFile == "" {
		return "", nil
	}
	b, err := readSecretFile("--slack-token-file", f.SlackTokenFile)
	return string(b), err
}

// readSecretFile reads the secret file path, given by flag, trimmed: it
// must hold something, and group and others must not be able to read it.
func readSecretFile(flag, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%s: %v", flag, err)
	}
	if err := checkPerms(flag, path, true, ""); err != nil {
		return nil, err
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return nil, usagef("%s: %s is empty", flag, path)
	}
	return []byte(secret), nil
}
