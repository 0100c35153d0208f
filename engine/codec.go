package engine

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// Payload metadata of the codec. An encrypted payload's data is the nonce
// followed by the AES-256-GCM sealing of the original payload (protobuf),
// with the key ID as additional data.
const (
	metaEncoding      = "encoding"
	encodingEncrypted = "binary/encrypted"
	metaKeyID         = "encryption-key-id"
	// metaSeal marks a payload whose value carries a secret: the codec
	// encrypts it even when it does not encrypt every payload.
	metaSeal = "runbook-seal"
)

// GeneratedKeyFile is the key the engine generates in its state directory
// when no key is configured.
const GeneratedKeyFile = "codec.key"

// Keyring holds AES-256 keys by ID. The first key seals new payloads; the
// others only open payloads sealed before a rotation.
type Keyring struct {
	active string
	keys   map[string]cipher.AEAD
	order  []string
}

// ParseKeys reads keys written as `ID:BASE64` (32 bytes, standard or URL
// base64), one per line or separated by commas; `#` starts a comment. The
// first key is the active one. what names the source in errors.
func ParseKeys(text, what string) (*Keyring, error) {
	r := &Keyring{keys: map[string]cipher.AEAD{}}
	for n, line := range strings.Split(strings.ReplaceAll(text, ",", "\n"), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := r.add(line); err != nil {
			return nil, fmt.Errorf("%s: entry %d: %v (want ID:BASE64-OF-32-BYTES, e.g. from `runbook keygen`)", what, n+1, err)
		}
	}
	if len(r.order) == 0 {
		return nil, fmt.Errorf("%s: no key (want ID:BASE64-OF-32-BYTES lines)", what)
	}
	return r, nil
}

func (r *Keyring) add(entry string) error {
	id, b64, ok := strings.Cut(entry, ":")
	id = strings.TrimSpace(id)
	if !ok || id == "" {
		return errors.New("no key ID")
	}
	if _, dup := r.keys[id]; dup {
		return fmt.Errorf("key ID %q twice", id)
	}
	key, err := decodeKey(strings.TrimSpace(b64))
	if err != nil {
		return err
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	r.keys[id] = gcm
	r.order = append(r.order, id)
	if r.active == "" {
		r.active = id
	}
	return nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("the key is %d bytes, not 32", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("the key is not base64")
}

// Merge adds o's keys (after r's) for opening payloads; r's active key
// stays the active one.
func (r *Keyring) Merge(o *Keyring) {
	for _, id := range o.order {
		if _, ok := r.keys[id]; !ok {
			r.keys[id] = o.keys[id]
			r.order = append(r.order, id)
		}
	}
}

// Active is the ID of the key that seals new payloads.
func (r *Keyring) Active() string { return r.active }

// NewKey returns a new random key entry, `ID:BASE64`.
func NewKey() string {
	k, id := make([]byte, 32), make([]byte, 4)
	_, _ = rand.Read(k)
	_, _ = rand.Read(id)
	return "k" + hex.EncodeToString(id) + ":" + base64.StdEncoding.EncodeToString(k)
}

// GeneratedKey loads dir/codec.key, creating it (mode 0600) with a new key
// when it does not exist. Processes starting together on a new state
// directory agree on one key: the file appears whole (written aside, then
// linked into place) and the first link wins.
func GeneratedKey(dir string) (*Keyring, error) {
	path := filepath.Join(dir, GeneratedKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createKeyFile(dir, path); err != nil {
			return nil, fmt.Errorf("generate %s: %w", path, err)
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return ParseKeys(string(b), path)
}

// createKeyFile writes a new key to a temporary file of dir and links it
// to path; a path that exists by then (another process won) is no error.
func createKeyFile(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".codec-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = fmt.Fprintf(f, "# Key of the secrets in execution histories (generated; keep it with the state)\n%s\n", NewKey())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.Link(f.Name(), path); errors.Is(err, os.ErrExist) {
			err = nil
		}
	}
	return err
}

// Codec is a Temporal payload codec: it encrypts with the keyring's
// active key every payload (All) or only those marked as carrying a
// secret, and decrypts payloads sealed with any of its keys.
type Codec struct {
	Keys *Keyring
	All  bool
}

// Encode encrypts the payloads the codec covers.
func (c *Codec) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(ps))
	for i, p := range ps {
		out[i] = p
		if string(p.GetMetadata()[metaEncoding]) == encodingEncrypted || !(c.All || len(p.GetMetadata()[metaSeal]) > 0) {
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		gcm := c.Keys.keys[c.Keys.active]
		nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plain)+gcm.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{metaEncoding: []byte(encodingEncrypted), metaKeyID: []byte(c.Keys.active)},
			Data:     gcm.Seal(nonce, nonce, plain, []byte(c.Keys.active)),
		}
	}
	return out, nil
}

// Decode decrypts the encrypted payloads; others pass unchanged.
func (c *Codec) Decode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(ps))
	for i, p := range ps {
		out[i] = p
		if string(p.GetMetadata()[metaEncoding]) != encodingEncrypted {
			continue
		}
		id := string(p.GetMetadata()[metaKeyID])
		gcm, ok := c.Keys.keys[id]
		if !ok {
			return nil, fmt.Errorf("payload encrypted with key %q, which this keyring lacks (pass the key with --codec-key-file or RUNBOOK_CODEC_KEYS)", id)
		}
		if len(p.Data) < gcm.NonceSize() {
			return nil, errors.New("encrypted payload too short")
		}
		plain, err := gcm.Open(nil, p.Data[:gcm.NonceSize()], p.Data[gcm.NonceSize():], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("payload encrypted with key %q does not open: %v", id, err)
		}
		dec := &commonpb.Payload{}
		if err := proto.Unmarshal(plain, dec); err != nil {
			return nil, err
		}
		out[i] = dec
	}
	return out, nil
}

// Sealed reports whether p, decoded, carries a secret: its value was
// marked when converted (a secret param, a secret output).
func Sealed(p *commonpb.Payload) bool { return len(p.GetMetadata()[metaSeal]) > 0 }
