package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// e2eTiny is the storm's and the benchmark's playbook: it logs, then
// concludes, so its executions end fast.
const e2eTiny = `apiVersion: runbook/v1
kind: Playbook
name: tiny
version: 1.0.0
triggers:
  - alarm: "storm-*"
start: note
nodes:
  - name: note
    log: storm
    default: done
  - name: done
    conclude: {finding: calm, severity: info}
`

// stormTally counts a storm's answers.
type stormTally struct {
	mu       sync.Mutex
	statuses map[string]int // of the executions answered: started, duplicate, cooldown
	codes    map[int]int    // HTTP statuses
	ids      map[string]int // started, by ID
}

// TestE2EStorm: 1,000 deliveries of 200 alarm episodes, each sent 5 times,
// in random order by 16 senders at once, start exactly one execution per
// episode: 200 answers say started (each ID once), 800 duplicate, none
// fails, and Temporal holds 200 executions, all of which complete.
func TestE2EStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a storm of 1,000 deliveries")
	}
	const episodes, copies, senders = 200, 5, 16
	e := newE2E(t, e2eTiny)
	base := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	var bodies [][]byte
	for i := range episodes {
		a := Alarm{Name: fmt.Sprintf("storm-%d", i%20), State: "ALARM", Time: base.Add(time.Duration(i/20) * time.Minute)}
		b, _ := json.Marshal(a)
		for range copies {
			bodies = append(bodies, b)
		}
	}
	rand.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })

	tally := stormTally{statuses: map[string]int{}, codes: map[int]int{}, ids: map[string]int{}}
	work := make(chan []byte)
	var wg sync.WaitGroup
	begin := time.Now()
	for range senders {
		wg.Go(func() {
			for body := range work {
				tally.add(e.signedGeneric(body))
			}
		})
	}
	for _, b := range bodies {
		work <- b
	}
	close(work)
	wg.Wait()
	t.Logf("%d deliveries answered in %s", len(bodies), time.Since(begin).Round(time.Millisecond))

	if tally.codes[http.StatusAccepted] != len(bodies) {
		t.Errorf("HTTP statuses %v, want %d × 202", tally.codes, len(bodies))
	}
	if tally.statuses["started"] != episodes || tally.statuses["duplicate"] != episodes*(copies-1) || len(tally.statuses) != 2 {
		t.Errorf("answers %v, want %d started and %d duplicate", tally.statuses, episodes, episodes*(copies-1))
	}
	for id, n := range tally.ids {
		if n != 1 {
			t.Errorf("%s answered started %d times", id, n)
		}
	}
	e.waitCount("RunbookName = 'tiny'", episodes, 30*time.Second)
	e.waitCount("RunbookName = 'tiny' AND ExecutionStatus = 'Completed'", episodes, 2*time.Minute)
	t.Logf("%d executions completed %s after the first delivery", episodes, time.Since(begin).Round(time.Millisecond))
}

// e2eSenders is the concurrent senders' client: it keeps a connection
// for each.
var e2eSenders = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}, Timeout: time.Minute}

// signedGeneric delivers body to the generic hook, signed now; it may run
// on any goroutine.
func (e *e2e) signedGeneric(body []byte) (int, hookAnswer, error) {
	ts, sig := SignGeneric(e.key, time.Now(), body)
	req, err := http.NewRequest("POST", e.url+"/v1/hooks/generic", bytes.NewReader(body))
	if err != nil {
		return 0, hookAnswer{}, err
	}
	req.Header.Set(GenericTimestampHeader, ts)
	req.Header.Set(GenericSignatureHeader, sig)
	resp, err := e2eSenders.Do(req)
	if err != nil {
		return 0, hookAnswer{}, err
	}
	defer resp.Body.Close()
	var h hookAnswer
	if resp.StatusCode == http.StatusAccepted {
		err = json.NewDecoder(resp.Body).Decode(&h)
	}
	return resp.StatusCode, h, err
}

func (s *stormTally) add(code int, h hookAnswer, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		code = -1 // no answer, or not a hook's
	}
	s.codes[code]++
	for _, x := range h.Executions {
		s.statuses[x.Status]++
		if x.Status == "started" {
			s.ids[x.ID]++
		}
	}
}
