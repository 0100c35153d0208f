package steps

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"

	"go.temporal.io/sdk/activity"

	"github.com/runbook-dev/runbook/engine"
)

// maxSessionName is STS's limit on a role session name.
const maxSessionName = 64

// stsSession is the STS role session name of c's calls: see sessionName.
func stsSession(ctx context.Context, c engine.Call) string {
	id := ""
	if activity.IsActivity(ctx) {
		id = activity.GetInfo(ctx).WorkflowExecution.ID
	}
	if id == "" {
		id = "runbook-" + c.Step
	}
	return sessionName(id, requester(c))
}

// sessionName is the STS role session name of an execution's calls,
// which CloudTrail shows beside each call: the execution's ID, then
// "@REQUESTER" when it fits in 64 characters. Characters STS refuses
// become '-'; an ID too long keeps its start and a hash of the whole.
func sessionName(id, by string) string {
	id = sessionSafe(id)
	if len(id) > maxSessionName {
		sum := sha256.Sum256([]byte(id))
		id = id[:maxSessionName-9] + "." + hex.EncodeToString(sum[:4])
	}
	if by = sessionSafe(by); by != "" && len(id)+1+len(by) <= maxSessionName {
		id += "@" + by
	}
	return id
}

// requester is who started the execution, as the call's env says.
func requester(c engine.Call) string {
	exec, _ := c.Env["execution"].(map[string]any)
	by, _ := exec["startedBy"].(string)
	return by
}

// sessionSafe replaces what STS refuses in a session name ([\w+=,.@-]).
func sessionSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
			return r
		}
		return '-'
	}, s)
}

// lru is a map of at most max entries that forgets the least recently
// used: the clients and credentials of assumed roles, one per session
// (so per execution), must not pile up in a worker that runs for months.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; values are *lruEntry
	items map[string]*list.Element
}

type lruEntry struct {
	key   string
	value any
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// get returns key's value, building it with make when missing.
func (l *lru) get(key string, make func() any) any {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[key]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*lruEntry).value
	}
	v := make()
	l.items[key] = l.order.PushFront(&lruEntry{key, v})
	for l.order.Len() > l.max {
		old := l.order.Back()
		l.order.Remove(old)
		delete(l.items, old.Value.(*lruEntry).key)
	}
	return v
}

// len is the number of entries.
func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
