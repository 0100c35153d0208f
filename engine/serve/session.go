package serve

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// The web page's sessions. A person signs in with their API token once;
// the server keeps a session (whose, made from which token, since when)
// and gives the browser only the session's random ID. The ID opens the
// page and nothing else: the JSON API and the hooks read no cookie. A
// session ends when it signs out, idles sessionIdle, reaches
// sessionLifetime, or its token leaves the tokens file; the server
// forgets them all when it restarts.

const (
	// sessionIdle ends a session nobody used for this long.
	sessionIdle = time.Hour
	// sessionLifetime ends any session this long after its sign-in.
	sessionLifetime = 12 * time.Hour
	// sessionCap bounds the sessions kept: past it, a sign-in pushes out
	// the least recently used.
	sessionCap = 10000
)

// sessionState is what a session ID presented is.
type sessionState int

const (
	sessionValid   sessionState = iota
	sessionUnknown              // never was, signed out, or forgotten
	sessionExpired              // idle, or past its lifetime
	sessionRevoked              // its token left the tokens file, or stands for someone else now
)

// session is one sign-in. It holds hashes, never the token or the ID.
type session struct {
	token    [sha256.Size]byte // SHA-256 of the token it was made from
	identity string            // the token's identity at sign-in
	created  time.Time
	used     time.Time
}

// expired reports whether s has ended by time at now.
func (s *session) expired(now time.Time) bool {
	return !now.Before(s.used.Add(sessionIdle)) || !now.Before(s.created.Add(sessionLifetime))
}

// sessions are the live sessions by the SHA-256 of their ID, so neither
// a map lookup's timing nor a memory dump gives an ID away. It is safe
// for concurrent use.
type sessions struct {
	now func() time.Time
	max int

	mu   sync.Mutex
	byID map[[sha256.Size]byte]*session
}

// newSessions returns an empty set of at most max sessions, timed by now.
func newSessions(now func() time.Time, max int) *sessions {
	return &sessions{now: now, max: max, byID: map[[sha256.Size]byte]*session{}}
}

// create starts a session for identity, made from the token whose
// SHA-256 is token, and returns its ID (32 random bytes, base64url) and
// how many sessions it pushed out to stay within the cap.
func (ss *sessions) create(identity string, token [sha256.Size]byte) (id string, evicted int, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", 0, fmt.Errorf("generating a session ID: %w", err)
	}
	id = base64.RawURLEncoding.EncodeToString(b)
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.byID) >= ss.max {
		evicted = ss.evict(now)
	}
	ss.byID[sha256.Sum256([]byte(id))] = &session{token: token, identity: identity, created: now, used: now}
	return id, evicted, nil
}

// evict drops the expired sessions and then, while at the cap, the least
// recently used; it returns how many live ones it dropped. ss.mu is held.
func (ss *sessions) evict(now time.Time) int {
	for k, s := range ss.byID {
		if s.expired(now) {
			delete(ss.byID, k)
		}
	}
	n := 0
	for len(ss.byID) >= ss.max {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, s := range ss.byID {
			if at.IsZero() || s.used.Before(at) {
				oldest, at = k, s.used
			}
		}
		delete(ss.byID, oldest)
		n++
	}
	return n
}

// use returns the caller of session id as t, the tokens file now, has
// it, and what the session is. A valid session's use keeps it from
// idling out, up to its lifetime; any other is forgotten. The identity
// is the session's, for the log, when it was known.
func (ss *sessions) use(id string, t *Tokens) (c Caller, state sessionState, identity string) {
	key := sha256.Sum256([]byte(id))
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[key]
	if !ok {
		return Caller{}, sessionUnknown, ""
	}
	if s.expired(now) {
		delete(ss.byID, key)
		return Caller{}, sessionExpired, s.identity
	}
	c, ok = t.lookupHash(s.token)
	if !ok || c.Identity != s.identity {
		delete(ss.byID, key)
		return Caller{}, sessionRevoked, s.identity
	}
	s.used = now
	return c, sessionValid, s.identity
}

// end forgets session id (signing out), and returns whose it was.
func (ss *sessions) end(id string) (identity string, ok bool) {
	key := sha256.Sum256([]byte(id))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[key]
	if ok {
		delete(ss.byID, key)
		identity = s.identity
	}
	return identity, ok
}

// retain forgets every session whose token t, a reloaded tokens file,
// lacks or gives another identity, and returns whose they were.
func (ss *sessions) retain(t *Tokens) (dropped []string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.byID {
		if c, ok := t.lookupHash(s.token); !ok || c.Identity != s.identity {
			delete(ss.byID, k)
			dropped = append(dropped, s.identity)
		}
	}
	return dropped
}

// sessionHandle names session id in the log without giving it away: the
// start of its ID's SHA-256.
func sessionHandle(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}
