package engine

import "strings"

// NormalIdentity is an identity or group name as every comparison sees
// it: trimmed and case-folded, so "Alice " from a tokens file, "alice"
// from the CLI and user:alice in a definition are one person. The tokens
// file, the CLI and the interpreter all compare through it.
func NormalIdentity(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalGroups normalizes each group name.
func NormalGroups(groups []string) []string {
	if groups == nil {
		return nil
	}
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = NormalIdentity(g)
	}
	return out
}
