package main

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

// TestGeneratedKeyRace loads the generated codec key from several
// goroutines at once on a fresh state directory, as CLI commands started
// together on a new machine do: each must get the key. The file is made
// with O_EXCL, but a loser that reads it before the winner has written it
// finds it empty ("no key").
func TestGeneratedKeyRace(t *testing.T) {
	for round := range 50 {
		dir := filepath.Join(t.TempDir(), "state")
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				if _, err := engine.GeneratedKey(dir); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}
