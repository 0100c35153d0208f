package serve

import (
	"crypto/sha256"
	"testing"
	"time"
)

// TestSessionsBounded: sign-ins past the cap push out expired sessions
// first, then the least recently used, so a flood of sign-ins holds at
// most the cap in memory and ends nobody who used the page recently.
func TestSessionsBounded(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ss := newSessions(func() time.Time { return now }, 3)
	tokens, err := ParseTokens([]byte("- {sha256: "+HashToken("t")+", identity: alice}\n"), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("t"))
	create := func() string {
		t.Helper()
		id, _, err := ss.create("alice", sum)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		return id
	}
	live := func(id string) bool {
		_, state, _ := ss.use(id, tokens)
		return state == sessionValid
	}
	stale, a, b := create(), create(), create()
	now = now.Add(sessionIdle - 3*time.Minute) // 10:00: stale, unused since 9:00, has idled out
	if !live(a) {
		t.Fatal("a session used within the hour ended")
	}
	now = now.Add(time.Minute)
	if !live(b) {
		t.Fatal("a session used within the hour ended")
	}
	c := create() // in the place of stale
	if _, n, _ := ss.create("alice", sum); n != 1 || len(ss.byID) != 3 {
		t.Fatalf("at the cap: %d pushed out, %d kept; want 1 and 3", n, len(ss.byID))
	}
	if live(stale) || live(a) || !live(b) || !live(c) {
		t.Error("want the expired session, then the least recently used (a), gone; b and c kept")
	}
}

// TestSessionsIdentityChange: a session whose token the tokens file now
// gives to someone else is theirs no longer: it ends, on use and on
// reload alike.
func TestSessionsIdentityChange(t *testing.T) {
	ss := newSessions(time.Now, 10)
	sum := sha256.Sum256([]byte("t"))
	carol, err := ParseTokens([]byte("- {sha256: "+HashToken("t")+", identity: carol}\n"), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	used, _, _ := ss.create("alice", sum)
	reloaded, _, _ := ss.create("alice", sum)
	if _, state, who := ss.use(used, carol); state != sessionRevoked || who != "alice" {
		t.Errorf("use: %v of %q, want revoked, alice's", state, who)
	}
	if dropped := ss.retain(carol); len(dropped) != 1 || len(ss.byID) != 0 {
		t.Errorf("retain dropped %q, kept %d; want alice's one, none", dropped, len(ss.byID))
	}
	if _, state, _ := ss.use(reloaded, carol); state != sessionUnknown {
		t.Errorf("after the reload: %v, want unknown", state)
	}
}
