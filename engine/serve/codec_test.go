package serve_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/serve"
)

// codecSite serves the codec of a fresh key for pageTokens plus carol of
// group admins; the Web UI's origin is ui.
func codecSite(t *testing.T, ui string) (base string, codec *engine.Codec) {
	t.Helper()
	keys, err := engine.ParseKeys(engine.NewKey(), "test")
	if err != nil {
		t.Fatal(err)
	}
	codec = &engine.Codec{Keys: keys, All: true}
	src := "- {sha256: " + serve.HashToken("alice-page-token") + ", identity: alice, groups: [sre]}\n" +
		"- {sha256: " + serve.HashToken("carol-token") + ", identity: carol, groups: [admins]}\n"
	tokens, err := serve.ParseTokens([]byte(src), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := serve.New(serve.Config{Codec: codec, AdminGroup: "admins", CodecOrigins: []string{ui}}, &serve.Catalog{}, tokens)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return hs.URL, codec
}

// remote is the temporal CLI's side of the codec protocol: the SDK's
// remote codec, with auth as its Authorization header.
func remote(base, auth string) converter.PayloadCodec {
	return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: base + "/codec",
		ModifyRequest: func(r *http.Request) error {
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			r.Header.Set("X-Namespace", "default")
			return nil
		},
	})
}

// TestCodecServer: the codec endpoint opens this server's payloads for a
// token holder; payloads carrying a secret only for the admin group;
// nothing for a caller without a token.
func TestCodecServer(t *testing.T) {
	base, codec := codecSite(t, "http://ui.test")
	dc := engine.DataConverter(codec)
	plain, err := dc.ToPayload("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := dc.ToPayload(engine.Call{Seal: true, Step: "rotate"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*commonpb.Payload{plain, secret} {
		if enc := string(p.Metadata["encoding"]); enc != "binary/encrypted" {
			t.Fatalf("the codec left a payload %s", enc)
		}
	}
	opened := func(ps []*commonpb.Payload) []bool {
		var out []bool
		for _, p := range ps {
			out = append(out, string(p.Metadata["encoding"]) != "binary/encrypted")
		}
		return out
	}
	for _, tc := range []struct {
		who, auth string
		want      []bool // plain, secret opened
		err       string
	}{
		{"nobody", "", nil, "401"},
		{"a wrong token", "Bearer guessed", nil, "401"},
		{"alice", "Bearer alice-page-token", []bool{true, false}, ""},
		{"carol (admins)", "Bearer carol-token", []bool{true, true}, ""},
	} {
		got, err := remote(base, tc.auth).Decode([]*commonpb.Payload{plain, secret})
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s decoded: %v, %v; want %s", tc.who, opened(got), err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.who, err)
		case len(got) != 2 || opened(got)[0] != tc.want[0] || opened(got)[1] != tc.want[1]:
			t.Errorf("%s: opened %v, want %v", tc.who, opened(got), tc.want)
		}
	}
	// What carol gets back is the value the worker sealed.
	got, err := remote(base, "Bearer carol-token").Decode([]*commonpb.Payload{secret})
	if err != nil {
		t.Fatal(err)
	}
	var call engine.Call
	if err := converter.GetDefaultDataConverter().FromPayload(got[0], &call); err != nil || call.Step != "rotate" {
		t.Errorf("carol's decoded secret payload: %+v, %v", call, err)
	}
	// Encoding needs a token too, and its result opens with the key.
	enc, err := remote(base, "Bearer alice-page-token").Encode([]*commonpb.Payload{got[0]})
	if err != nil {
		t.Fatal(err)
	}
	if back, err := codec.Decode(enc); err != nil || string(back[0].Data) != string(got[0].Data) {
		t.Errorf("encoded through the endpoint: %v", err)
	}
	if _, err := remote(base, "").Encode([]*commonpb.Payload{got[0]}); err == nil {
		t.Error("encoded without a token")
	}
}

// TestCodecWebUIOrigin: the Web UI's origin, and only it, gets CORS
// answers, and may use a signed-in page session; the same session from
// another origin opens nothing.
func TestCodecWebUIOrigin(t *testing.T) {
	ui := "http://127.0.0.1:8233"
	base, codec := codecSite(t, ui)
	p, err := engine.DataConverter(codec).ToPayload("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"payloads":[{"metadata":{"encoding":"` + b64(p.Metadata["encoding"]) + `","encryption-key-id":"` + b64(p.Metadata["encryption-key-id"]) + `"},"data":"` + b64(p.Data) + `"}]}`
	session := signIn(t, base, "alice-page-token")
	for _, tc := range []struct {
		name, method, origin string
		cookies              []*http.Cookie
		want                 int
		cors                 bool
	}{
		{"preflight from the UI", http.MethodOptions, ui, nil, http.StatusNoContent, true},
		{"preflight from elsewhere", http.MethodOptions, "http://evil.test", nil, http.StatusForbidden, false},
		{"session from the UI", http.MethodPost, ui, session, http.StatusOK, true},
		{"session from elsewhere", http.MethodPost, "http://127.0.0.1:9999", session, http.StatusUnauthorized, false},
		{"session, no Origin", http.MethodPost, "", session, http.StatusUnauthorized, false},
		{"the UI, signed out", http.MethodPost, ui, nil, http.StatusUnauthorized, true},
	} {
		var h []string
		if tc.origin != "" {
			h = []string{"Origin", tc.origin}
		}
		resp, got := sendTo(t, base, tc.method, "/codec/decode", tc.cookies, body, h...)
		cors := resp.Header.Get("Access-Control-Allow-Origin") == tc.origin && resp.Header.Get("Access-Control-Allow-Credentials") == "true"
		if resp.StatusCode != tc.want || cors != tc.cors {
			t.Errorf("%s: %d, CORS %v; want %d, CORS %v\n%s", tc.name, resp.StatusCode, cors, tc.want, tc.cors, got)
		}
		if tc.want == http.StatusOK && !strings.Contains(got, b64([]byte(`"eu-west-1"`))) {
			t.Errorf("%s: the payload did not open: %s", tc.name, got)
		}
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
