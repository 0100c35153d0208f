package serve_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/serve"
)

// The hashes of the tokens "alice-token" and "deploy-bot-token".
var (
	aliceHash = serve.HashToken("alice-token")
	botHash   = serve.HashToken("deploy-bot-token")
)

func TestTokenHash(t *testing.T) {
	// SHA-256("abc"), FIPS 180-2 appendix B.1.
	if got, want := serve.HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestTokenNew(t *testing.T) {
	tok1, hash1, err := serve.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, err := serve.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok1) != 43 || strings.ContainsAny(tok1, "+/=") {
		t.Errorf("token %q: want 43 characters of unpadded base64url", tok1)
	}
	if tok1 == tok2 {
		t.Errorf("two new tokens are both %q", tok1)
	}
	if hash1 != serve.HashToken(tok1) {
		t.Errorf("hash %s is not HashToken of the token, %s", hash1, serve.HashToken(tok1))
	}
	tokens, err := serve.ParseTokens([]byte("- {sha256: "+hash1+", identity: ci}\n"), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := tokens.Lookup(tok1); !ok || c.Identity != "ci" {
		t.Errorf("Lookup(new token) = %v, %v; want ci", c, ok)
	}
}

func TestTokensParse(t *testing.T) {
	src := `# who may call the API
- sha256: ` + aliceHash + `
  identity: alice
  groups: [sre, approvers]
- sha256: "` + strings.ToUpper(botHash) + `"   # upper case hex is fine
  identity: deploy-bot
`
	tokens, err := serve.ParseTokens([]byte(src), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Len() != 2 {
		t.Errorf("Len = %d, want 2", tokens.Len())
	}
	for _, tc := range []struct {
		token string
		want  serve.Caller
		ok    bool
	}{
		{"alice-token", serve.Caller{Identity: "alice", Groups: []string{"sre", "approvers"}}, true},
		{"deploy-bot-token", serve.Caller{Identity: "deploy-bot"}, true},
		{"alice-token ", serve.Caller{}, false},
		{aliceHash, serve.Caller{}, false}, // the hash is not the token
		{"", serve.Caller{}, false},
	} {
		got, ok := tokens.Lookup(tc.token)
		if ok != tc.ok || got.Identity != tc.want.Identity || !slices.Equal(got.Groups, tc.want.Groups) {
			t.Errorf("Lookup(%q) = %v, %v; want %v, %v", tc.token, got, ok, tc.want, tc.ok)
		}
	}

	c, _ := tokens.Lookup("alice-token")
	c.Groups[0] = "admin"
	if c, _ := tokens.Lookup("alice-token"); c.Groups[0] != "sre" {
		t.Errorf("changing a Caller's groups changed the Tokens: %v", c.Groups)
	}

	for _, empty := range []string{"", "# no one yet\n", "[]\n"} {
		tokens, err := serve.ParseTokens([]byte(empty), "tokens.yaml")
		if err != nil || tokens.Len() != 0 {
			t.Errorf("ParseTokens(%q) = %d tokens, %v; want none and no error", empty, tokens.Len(), err)
		}
	}
	var none *serve.Tokens
	if _, ok := none.Lookup("alice-token"); ok || none.Len() != 0 {
		t.Error("a nil *Tokens knows a token")
	}
}

// TestTokensSlack: an entry's slack: key maps a Slack user to its
// caller, with or without a token; others are unknown.
func TestTokensSlack(t *testing.T) {
	tokens, err := serve.ParseTokens([]byte("- {sha256: "+aliceHash+", identity: Alice, groups: [SRE], slack: U0ALICE}\n- {identity: bob, slack: W0BOB}\n"), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := tokens.SlackCaller("U0ALICE"); !ok || c.Identity != "alice" || !slices.Equal(c.Groups, []string{"sre"}) {
		t.Errorf("SlackCaller(U0ALICE) = %v, %v; want alice of sre", c, ok)
	}
	if c, ok := tokens.SlackCaller("W0BOB"); !ok || c.Identity != "bob" || tokens.Len() != 1 {
		t.Errorf("SlackCaller(W0BOB) = %v, %v, %d tokens; want bob, and only alice's token", c, ok, tokens.Len())
	}
	for _, user := range []string{"U0NOBODY", "", "u0alice"} {
		if c, ok := tokens.SlackCaller(user); ok {
			t.Errorf("SlackCaller(%q) = %v, want none", user, c)
		}
	}
}

func TestTokensParseErrors(t *testing.T) {
	entry := func(lines ...string) string { return "- " + strings.Join(lines, "\n  ") + "\n" }
	for _, tc := range []struct {
		name, src string
		want      []string // each error, file:line:col: error: message
	}{
		{"bad hex", entry("sha256: "+strings.Repeat("ab", 31)+"zz", "identity: x"),
			[]string{"tokens.yaml:1:73: error: `sha256:` holds 'z', not a hex digit"}},
		{"bad hex quoted", entry(`sha256: "`+strings.Repeat("ab", 31)+`ag"`, "identity: x"),
			[]string{"tokens.yaml:1:75: error: `sha256:` holds 'g', not a hex digit"}},
		{"short", entry("sha256: abc123", "identity: x"),
			[]string{"tokens.yaml:1:11: error: `sha256:` holds 6 characters, not 64 hex digits; a SHA-256 is 64 hex digits"}},
		{"prefixed", entry("sha256: sha256:"+aliceHash, "identity: x"),
			[]string{"tokens.yaml:1:11: error: `sha256:` holds a prefixed hash; drop the `sha256:` prefix"}},
		{"token in sha256", entry("sha256: dGhpcyBpcyBub3QgYSByZWFsIHRva2VuIGF0IGFsbCE", "identity: x"),
			[]string{"tokens.yaml:1:11: error: `sha256:` holds what looks like a token itself, not its hash"}},
		{"no sha256", entry("identity: x"),
			[]string{"tokens.yaml:1:3: error: entry has no `sha256:` (nor `slack:`); add `sha256: HEX`"}},
		{"bad Slack user", entry("sha256: "+aliceHash, "identity: a", "slack: alice"),
			[]string{"tokens.yaml:3:10: error: `slack:` holds a string, not a Slack user ID; write the member ID"}},
		{"duplicate Slack user", entry("sha256: "+aliceHash, "identity: a", "slack: U0ALICE") + entry("identity: b", "slack: U0ALICE"),
			[]string{"tokens.yaml:5:10: error: Slack user U0ALICE is already mapped by the entry at line 3"}},
		{"no identity", entry("sha256: "+aliceHash, "groups: [sre]"),
			[]string{"tokens.yaml:1:3: error: entry has no `identity:`; add `identity: NAME`"}},
		{"empty identity", entry("sha256: "+aliceHash, "identity: ''"),
			[]string{"tokens.yaml:2:13: error: `identity:` holds an empty string, not a name"}},
		{"duplicate hash", entry("sha256: "+aliceHash, "identity: a") + entry("sha256: "+aliceHash, "identity: b"),
			[]string{"tokens.yaml:3:11: error: this hash is already in the entry at line 1"}},
		{"duplicate key", entry("sha256: "+aliceHash, "identity: a", "identity: b"),
			[]string{"tokens.yaml:3:3: error: `identity` is given twice in this entry (first at line 2)"}},
		{"unknown key", entry("sha256: "+aliceHash, "identity: a", "group: [sre]"),
			[]string{"tokens.yaml:3:3: error: unknown key `group`; an entry has sha256, identity, groups and slack; did you mean \"groups\"?"}},
		{"groups not a list", entry("sha256: "+aliceHash, "identity: a", "groups: sre"),
			[]string{"tokens.yaml:3:11: error: `groups:` holds a string, not a list; write `groups: [NAME, ...]`"}},
		{"plaintext token", entry("token: s3cr3t-t0ken", "identity: a"),
			[]string{"tokens.yaml:1:3: error: the tokens file must not hold a token; store its hash instead: `sha256: HEX`"}},
		{"not a list", "sha256: " + aliceHash + "\nidentity: a\n",
			[]string{"tokens.yaml:1:1: error: the tokens file is a YAML list of `- {sha256: HEX, identity: NAME, groups: [..]}`, not a mapping"}},
		{"entry not a mapping", "- alice\n",
			[]string{"tokens.yaml:1:3: error: an entry is a mapping `{sha256: HEX, identity: NAME, groups: [..]}`, not a string"}},
		{"invalid YAML", "- {sha256: x\n", []string{"tokens.yaml:1:1: error: invalid YAML: did not find expected ',' or '}'"}},
		{"every error", entry("sha256: abc", "identity: a") + entry("sha256: "+aliceHash, "identiy: b"), []string{
			"tokens.yaml:1:11: error: `sha256:` holds 3 characters",
			"tokens.yaml:3:3: error: entry has no `identity:`",
			"tokens.yaml:4:3: error: unknown key `identiy`; an entry has sha256, identity, groups and slack; did you mean \"identity\"?",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokens, err := serve.ParseTokens([]byte(tc.src), "tokens.yaml")
			var ds engine.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("error %v (%T), want engine.Diagnostics", err, err)
			}
			if tokens != nil {
				t.Errorf("ParseTokens returned Tokens with an error")
			}
			ds.Sort()
			if len(ds) != len(tc.want) {
				t.Fatalf("%d errors, want %d:\n%s", len(ds), len(tc.want), joinDiags(ds))
			}
			for i, d := range ds {
				if !strings.HasPrefix(d.String(), tc.want[i]) {
					t.Errorf("error\n%s\nwant it to start with\n%s", d, tc.want[i])
				}
				if strings.Contains(d.String(), "s3cr3t") {
					t.Errorf("error %s quotes the token", d)
				}
			}
		})
	}
}

func joinDiags(ds engine.Diagnostics) string {
	var lines []string
	for _, d := range ds {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

func TestTokensLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.yaml")
	if err := os.WriteFile(path, []byte("- {sha256: "+aliceHash+", identity: alice}\n- {identity: bob}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := serve.LoadTokens(path); err == nil || !strings.HasPrefix(err.Error(), path+":2:3: error: entry has no `sha256:`") {
		t.Errorf("LoadTokens error %v, want it at %s:2:3", err, path)
	}
	if _, err := serve.LoadTokens(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadTokens(missing) error %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestTokensAuthenticate(t *testing.T) {
	tokens, err := serve.ParseTokens([]byte("- {sha256: "+aliceHash+", identity: alice, groups: [sre]}\n"), "tokens.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		headers []string // Authorization headers
		cookie  string   // the Cookie header
		want    string   // the identity, or the error's text
	}{
		{"bearer", []string{"Bearer alice-token"}, "", "alice"},
		{"scheme in lower case", []string{"bearer   alice-token "}, "", "alice"},
		{"no cookie taken", nil, "runbook_token=alice-token", "unauthenticated: no token"},
		{"nor the page's", nil, "runbook_session=alice-token", "unauthenticated: no token"},
		{"header, not cookie", []string{"Bearer wrong"}, "runbook_token=alice-token", "unauthenticated: unknown token"},
		{"unknown token", []string{"Bearer bob-token"}, "", "unauthenticated: unknown token"},
		{"no token", nil, "", "unauthenticated: no token: send `Authorization: Bearer TOKEN`"},
		{"empty cookie", nil, "runbook_token=", "unauthenticated: no token"},
		{"other cookie", nil, "session=alice-token", "unauthenticated: no token"},
		{"basic", []string{"Basic YWxpY2U6dG9rZW4="}, "", "unauthenticated: the Authorization header must be `Bearer TOKEN`"},
		{"bearer alone", []string{"Bearer"}, "", "unauthenticated: the Authorization header has no token"},
		{"two headers", []string{"Bearer alice-token", "Bearer alice-token"}, "", "unauthenticated: more than one Authorization header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/v1/executions", nil)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			if tc.cookie != "" {
				r.Header.Set("Cookie", tc.cookie)
			}
			c, err := tokens.Authenticate(r)
			if err != nil {
				if !errors.Is(err, serve.ErrUnauthenticated) {
					t.Errorf("error %v does not wrap ErrUnauthenticated", err)
				}
				for _, secret := range []string{"wrong", "alice-token", "bob-token", "YWxp"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %v quotes the token", err)
					}
				}
				if !strings.HasPrefix(err.Error(), tc.want) {
					t.Errorf("error %q, want %q", err, tc.want)
				}
				return
			}
			if c.Identity != tc.want {
				t.Errorf("caller %v, want %s", c, tc.want)
			}
		})
	}
}
