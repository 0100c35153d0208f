package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine/serve"
)

// TestCodecEndpoint: `runbook serve`'s codec opens a real execution's
// history for the temporal CLI's protocol, its secrets only for the
// admin group; `runbook server --ui-codec-endpoint` points the embedded
// Web UI at it.
func TestCodecEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := e2eEnv(t)
	dir := workdir(t, map[string]string{"secret.yaml": e2eSecret})
	key := filepath.Join(dir, "codec.key")
	if err := os.WriteFile(key, []byte(e2eRun(t, dir, env, "keygen").stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "tokens.yaml")
	src := fmt.Sprintf("- {sha256: %s, identity: alice}\n- {sha256: %s, identity: carol, groups: [admins]}\n", serve.HashToken("alice-token"), serve.HashToken("carol-token"))
	if err := os.WriteFile(tokens, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	uiPort, servePort := freePort(t), freePort(t)
	ui := fmt.Sprintf("http://127.0.0.1:%d", uiPort)
	codecURL := fmt.Sprintf("http://127.0.0.1:%d/codec", servePort)
	state := t.TempDir()
	addr := e2eServerIn(t, env, state, "--headless=false", "--ui-port", fmt.Sprint(uiPort), "--ui-codec-endpoint", codecURL, "--codec-key-file", key)
	startServe(t, env, "--listen", fmt.Sprintf("127.0.0.1:%d", servePort), "--address", addr, "--tokens", tokens, "--codec-key-file", key, "--codec-origin", ui)

	r := e2eRun(t, dir, env, "run", "secret.yaml", "-p", "Queue=e2e-codec", "-p", "Token=hunter2-token", "--address", addr, "--state-dir", state, "--codec-key-file", key)
	if r.code != 0 {
		t.Fatalf("run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	id := ""
	for _, line := range strings.Split(r.stdout+r.stderr, "\n") {
		if i := strings.Index(line, "e2e-history-"); i >= 0 && id == "" {
			id = strings.Fields(line[i:])[0]
		}
	}
	cl, err := client.Dial(client.Options{HostPort: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := cl.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ev, err := it.Next()
	if err != nil {
		t.Fatalf("history of %q: %v", id, err)
	}
	input := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(input) == 0 || strings.Contains(string(input[0].Data), "hunter2") {
		t.Fatalf("the stored input is not encrypted: %q", input)
	}
	decode := func(token string) []*commonpb.Payload {
		t.Helper()
		out, err := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
			Endpoint:      codecURL,
			ModifyRequest: func(r *http.Request) error { r.Header.Set("Authorization", "Bearer "+token); return nil },
		}).Decode(input)
		if err != nil {
			t.Fatalf("decode as %s: %v", token, err)
		}
		return out
	}
	if got := decode("carol-token"); !strings.Contains(string(got[0].Data), "hunter2-token") {
		t.Errorf("carol (admins) decoded the input to %q", got[0].Data)
	}
	if got := decode("alice-token"); strings.Contains(string(got[0].Data), "hunter2") || string(got[0].Metadata["encoding"]) != "binary/encrypted" {
		t.Errorf("alice decoded the secret input: %q", got[0].Data)
	}

	resp, err := http.Get(ui + "/api/v1/settings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var settings struct {
		Codec struct {
			Endpoint           string
			IncludeCredentials bool
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&settings); err != nil || settings.Codec.Endpoint != codecURL || !settings.Codec.IncludeCredentials {
		t.Errorf("the Web UI's codec settings: %+v, %v; want %s with credentials", settings.Codec, err, codecURL)
	}
}
