package serve

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// FuzzHookPayloads feeds arbitrary bodies to every hook's parsing (SNS
// envelope and alarm, EventBridge event, generic alarm, generic signature
// check) and the tokens file: none may panic, and parsing is a function
// of the body (the same body, the same alarm).
func FuzzHookPayloads(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.json")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	paths, _ = filepath.Glob("../../examples/alarms/*")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`- {sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, identity: alice, groups: [ops]}`))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, parse := range map[string]func([]byte) (*Alarm, error){
			"eventbridge": ParseEventBridgeAlarm,
			"generic":     ParseGenericAlarm,
			"sns": func(b []byte) (*Alarm, error) {
				var m SNSMessage
				if err := json.Unmarshal(b, &m); err != nil {
					return nil, err
				}
				_, _ = snsStringToSign(&m)
				return ParseSNSAlarm(&m)
			},
		} {
			a, err := parse(body)
			b, err2 := parse(body)
			if (err == nil) != (err2 == nil) || !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: two parses differ: %v %v / %v %v", name, a, err, b, err2)
			}
		}
		ts, sig := SignGeneric([]byte("k"), now, body)
		if err := VerifyGeneric([]byte("k"), ts, sig, body, now); err != nil {
			t.Fatalf("a body signed does not verify: %v", err)
		}
		if VerifyGeneric([]byte("other"), ts, sig, body, now) == nil {
			t.Fatal("verified with another key")
		}
		_, _ = ParseTokens(body, "tokens.yaml")
	})
}
