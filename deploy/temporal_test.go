package deploy

import (
	"path/filepath"
	"testing"

	"go.temporal.io/server/common/dynamicconfig"
)

// TestDynamicConfig loads temporal/dynamicconfig.yaml with the Temporal
// server's own loader (the version go.mod pins): an unknown key, a value
// its setting refuses or a constraint the key does not take fails.
func TestDynamicConfig(t *testing.T) {
	path := filepath.Join("temporal", "dynamicconfig.yaml")
	lr := dynamicconfig.LoadYamlFile(mustRead(t, path))
	for _, err := range lr.Errors {
		t.Errorf("%s: %v", path, err)
	}
	for _, err := range lr.Warnings {
		t.Errorf("%s: %v", path, err)
	}
	if len(lr.Map) == 0 {
		t.Errorf("%s: no setting", path)
	}
	// The keys that make the difference (engine/embedded sets them too).
	for _, k := range []string{"history.transferProcessorMaxPollRPS", "history.timerProcessorMaxTimeShift", "matching.numTaskqueueReadPartitions"} {
		if _, ok := lr.Map[dynamicconfig.MakeKey(k)]; !ok {
			t.Errorf("%s: no %s", path, k)
		}
	}
}
