package serve

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
)

// ErrUnauthenticated is what every Authenticate error wraps: the request
// named no caller in the tokens file, and its answer is 401.
var ErrUnauthenticated = errors.New("unauthenticated")

// Caller is who made a request: the identity and the groups its token
// maps to in the tokens file.
type Caller struct {
	Identity string   `json:"identity"`
	Groups   []string `json:"groups,omitempty"`
}

// Tokens is a loaded tokens file: the SHA-256 of each token and the
// caller it stands for, and the Slack users mapped to callers. It never
// changes once loaded, so a server can share one among all requests and
// swap in a fresh one (an atomic.Pointer[Tokens]) when the file is
// reloaded. A nil *Tokens knows no token.
type Tokens struct {
	entries []tokenEntry
	slack   map[string]Caller // Slack user ID -> caller
}

type tokenEntry struct {
	hash   [sha256.Size]byte
	caller Caller
	hashed bool   // it has a hash: a token; else only slack
	slack  string // the Slack user ID mapped to caller, if any
}

// Len is the number of tokens known.
func (t *Tokens) Len() int {
	if t == nil {
		return 0
	}
	return len(t.entries)
}

// Lookup returns the caller token stands for. It hashes token with
// SHA-256 and compares the hash with every entry's in constant time, so
// neither the time taken nor an early exit tells which entry, if any,
// came close; and what is compared is a hash, never the secret itself.
func (t *Tokens) Lookup(token string) (Caller, bool) {
	if token == "" {
		return Caller{}, false
	}
	return t.lookupHash(sha256.Sum256([]byte(token)))
}

// lookupHash is Lookup by the token's SHA-256, sum.
func (t *Tokens) lookupHash(sum [sha256.Size]byte) (Caller, bool) {
	if t == nil {
		return Caller{}, false
	}
	found := -1
	for i := range t.entries {
		if subtle.ConstantTimeCompare(sum[:], t.entries[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Caller{}, false
	}
	c := t.entries[found].caller
	c.Groups = slices.Clone(c.Groups) // the Tokens stays immutable whatever the caller does
	return c, true
}

// SlackCaller returns the caller the Slack user ID user is mapped to by
// an entry's `slack:` key.
func (t *Tokens) SlackCaller(user string) (Caller, bool) {
	if t == nil || user == "" {
		return Caller{}, false
	}
	c, ok := t.slack[user]
	c.Groups = slices.Clone(c.Groups)
	return c, ok
}

// Authenticate returns the caller of r, by the token of its
// `Authorization: Bearer TOKEN` header and nothing else: no cookie, so a
// browser never adds a credential to a request another site makes it
// send. Every error wraps ErrUnauthenticated and is fit to show the
// client: it never quotes the token.
func (t *Tokens) Authenticate(r *http.Request) (Caller, error) {
	token, err := presentedToken(r)
	if err != nil {
		return Caller{}, fmt.Errorf("%w: %s", ErrUnauthenticated, err)
	}
	c, ok := t.Lookup(token)
	if !ok {
		return Caller{}, fmt.Errorf("%w: unknown token (revoked, mistyped, or its hash is not in the tokens file)", ErrUnauthenticated)
	}
	return c, nil
}

// presentedToken is the token r carries, or why it carries none.
func presentedToken(r *http.Request) (string, error) {
	switch hs := r.Header.Values("Authorization"); len(hs) {
	case 0:
	case 1:
		scheme, token, _ := strings.Cut(strings.TrimSpace(hs[0]), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", errors.New("the Authorization header must be `Bearer TOKEN`")
		}
		if token = strings.TrimSpace(token); token == "" {
			return "", errors.New("the Authorization header has no token after `Bearer`")
		}
		return token, nil
	default:
		return "", errors.New("more than one Authorization header")
	}
	return "", errors.New("no token: send `Authorization: Bearer TOKEN`")
}

// HashToken is the hex SHA-256 of token: what the tokens file holds in
// place of the token (`runbook token hash`).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a fresh token, 32 random bytes in unpadded base64url
// (43 characters), and its hash for the tokens file.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("generating a token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// LoadTokens reads and parses the tokens file at path (see ParseTokens).
func LoadTokens(path string) (*Tokens, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the tokens file: %w", err)
	}
	return ParseTokens(src, path)
}
