package engine

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func keyring(t *testing.T, text string) *Keyring {
	t.Helper()
	r, err := ParseKeys(text, "test")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCodecSeals: with All every payload is encrypted; without, only the
// values that carry a secret are. Both decode back to the value.
func TestCodecSeals(t *testing.T) {
	ring := keyring(t, NewKey())
	plain := Call{Step: "a", Op: "sqs:CreateQueue", Input: map[string]any{"QueueName": "orders"}}
	secret := plain
	secret.Seal = true
	for _, tt := range []struct {
		all       bool
		v         Call
		encrypted bool
	}{
		{false, plain, false},
		{false, secret, true},
		{true, plain, true},
		{true, secret, true},
	} {
		dc := DataConverter(&Codec{Keys: ring, All: tt.all})
		ps, err := dc.ToPayloads(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		p := ps.Payloads[0]
		if got := string(p.Metadata["encoding"]) == "binary/encrypted"; got != tt.encrypted {
			t.Errorf("all=%v seal=%v: encrypted %v, want %v", tt.all, tt.v.Seal, got, tt.encrypted)
		}
		if tt.encrypted && (bytes.Contains(p.Data, []byte("orders")) || string(p.Metadata["encryption-key-id"]) != ring.Active()) {
			t.Errorf("all=%v: plaintext in the sealed payload, or no key ID: %q", tt.all, p.Metadata)
		}
		var back Call
		if err := dc.FromPayloads(ps, &back); err != nil || back.Input["QueueName"] != "orders" {
			t.Errorf("all=%v: decoded %+v, %v", tt.all, back, err)
		}
	}
}

// TestCodecInputSealedBySecretParam: an input whose plan declares a
// secret param with a value is sealed; one with the param empty is not.
func TestCodecInputSealedBySecretParam(t *testing.T) {
	p := &Plan{Params: []*PlanParam{{Name: "Token", Type: "string", Secret: true, Default: ""}}}
	if (Input{Plan: p}).sealed() || (Input{Plan: p, Params: map[string]any{"Token": ""}}).sealed() {
		t.Error("an empty secret seals the input")
	}
	if !(Input{Plan: p, Params: map[string]any{"Token": "x"}}).sealed() || !(Input{Plan: &Plan{}, Seal: true}).sealed() {
		t.Error("a secret does not seal the input")
	}
	var nilIn *Input
	mark(&commonpb.Payload{}, nilIn) // no panic on a nil pointer
}

// TestCodecRotation: a payload sealed with the old key opens with a ring
// that lists a new key first; new payloads use the new key; a ring
// without the old key says which key it lacks; a tampered payload fails.
func TestCodecRotation(t *testing.T) {
	oldKey, newKey := NewKey(), NewKey()
	before := &Codec{Keys: keyring(t, oldKey), All: true}
	after := &Codec{Keys: keyring(t, newKey+"\n"+oldKey), All: true}
	p, _ := converter.GetDefaultDataConverter().ToPayload("value")
	sealed, err := before.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := after.Decode(sealed); err != nil || string(out[0].Data) != `"value"` {
		t.Errorf("rotated ring: %v %v", out, err)
	}
	again, _ := after.Encode([]*commonpb.Payload{p})
	if id := string(again[0].Metadata["encryption-key-id"]); id != after.Keys.Active() || id == before.Keys.Active() {
		t.Errorf("sealed with %q after rotation", id)
	}
	oldID := before.Keys.Active()
	if _, err := (&Codec{Keys: keyring(t, newKey)}).Decode(sealed); err == nil || !strings.Contains(err.Error(), `"`+oldID+`"`) {
		t.Errorf("missing key: %v", err)
	}
	tampered := &commonpb.Payload{Metadata: sealed[0].Metadata, Data: bytes.Clone(sealed[0].Data)}
	tampered.Data[len(tampered.Data)-1] ^= 1
	if _, err := before.Decode([]*commonpb.Payload{tampered}); err == nil {
		t.Error("a tampered payload opened")
	}
	// Encoding twice does not seal twice.
	twice, _ := before.Encode(sealed)
	if !bytes.Equal(twice[0].Data, sealed[0].Data) {
		t.Error("an encrypted payload was encrypted again")
	}
}

func TestParseKeys(t *testing.T) {
	k := NewKey()
	id, _, _ := strings.Cut(k, ":")
	r := keyring(t, "# keys\n"+k+"  # current\n")
	if r.Active() != id {
		t.Errorf("active %q, want %q", r.Active(), id)
	}
	for _, tt := range []struct{ text, want string }{
		{"", "no key"},
		{"k1:!!!!", "not base64"},
		{"k1:AAAA", "3 bytes, not 32"},
		{":" + strings.SplitN(k, ":", 2)[1], "no key ID"},
		{"k1:" + strings.SplitN(k, ":", 2)[1] + ",k1:" + strings.SplitN(k, ":", 2)[1], `"k1" twice`},
	} {
		if _, err := ParseKeys(tt.text, "keys.txt"); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "keys.txt") {
			t.Errorf("%q: %v, want %q", tt.text, err, tt.want)
		}
	}
}

// TestGeneratedKey: created once with mode 0600, then read back.
func TestGeneratedKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	a, err := GeneratedKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, GeneratedKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	b, err := GeneratedKey(dir)
	if err != nil || a.Active() != b.Active() {
		t.Errorf("the key changed: %s %s %v", a.Active(), b.Active(), err)
	}
}

// TestCodecRefuse: a codec with Refuse lets plain payloads through and
// refuses, with its error, every one it would seal.
func TestCodecRefuse(t *testing.T) {
	refuse := errors.New("no shared key")
	dc := DataConverter(&Codec{Keys: keyring(t, NewKey()), Refuse: refuse})
	plain := Call{Step: "a", Op: "sqs:CreateQueue", Input: map[string]any{"QueueName": "orders"}}
	if _, err := dc.ToPayloads(plain); err != nil {
		t.Errorf("plain payload: %v", err)
	}
	secret := plain
	secret.Seal = true
	if _, err := dc.ToPayloads(secret); !errors.Is(err, refuse) {
		t.Errorf("secret payload: error %v, want %v", err, refuse)
	}
}
