package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/serve"
)

// remote holds the flags of API mode: with a server, a command goes
// through `runbook serve`'s JSON API with a bearer token, and the caller
// is the token's identity. Without one, it talks to Temporal directly.
type remote struct {
	Server       string `placeholder:"URL" env:"RUNBOOK_SERVER" help:"The URL of a runbook serve: go through its API as your token's identity (RUNBOOK_TOKEN or --token-file) instead of talking to Temporal directly."`
	TokenFile    string `name:"token-file" placeholder:"FILE" type:"path" help:"A file holding your API token (default: $RUNBOOK_TOKEN)."`
	InsecureHTTP bool   `name:"insecure-http" help:"Send the token over plain http:// to a host that is not loopback (it can be read on the way)."`
}

// api is a client of runbook serve's JSON API.
type api struct {
	base  string // scheme://host[:port], no trailing slash
	token string // never printed
	http  *http.Client
}

// apiMode reports whether the command goes through the API.
func (r *remote) apiMode() bool { return r.Server != "" }

// refuse is the answer of a command with no API endpoint in API mode:
// missing names what the API lacks for it.
func (r *remote) refuse(command, missing string) error {
	if !r.apiMode() {
		return nil
	}
	return usagef("runbook %s is not available with --server (RUNBOOK_SERVER): runbook serve's API has no %s yet; run it without --server, against Temporal directly", command, missing)
}

// noIdentityFlags refuses --as and --group in API mode: the server knows
// who the caller is from the token.
func noIdentityFlags(as string, groups []string) error {
	if as != "" || len(groups) > 0 {
		return usagef("--as and --group are refused with --server: the server knows who you are (your token's identity and groups); drop them")
	}
	return nil
}

// client checks the URL and reads the token.
func (r *remote) client() (*api, error) {
	u, err := url.Parse(r.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, usagef("--server %q: want http(s)://HOST[:PORT][/PATH]", r.Server)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) && !r.InsecureHTTP {
		return nil, usagef("--server %s: plain http to a host that is not loopback would send your token in the clear; use https, or --insecure-http on a network you trust", u.Host)
	}
	token, err := r.token()
	if err != nil {
		return nil, err
	}
	return &api{
		base:  strings.TrimSuffix(u.String(), "/"),
		token: token,
		http: &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
				TLSHandshakeTimeout:   5 * time.Second,
				ResponseHeaderTimeout: 25 * time.Second,
			},
			// A redirect would carry the bearer token elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// token is --token-file's first line, else $RUNBOOK_TOKEN.
func (r *remote) token() (string, error) {
	t := os.Getenv("RUNBOOK_TOKEN")
	if r.TokenFile != "" {
		raw, err := os.ReadFile(r.TokenFile)
		if err != nil {
			return "", usagef("--token-file: %v", err)
		}
		t, _, _ = strings.Cut(string(raw), "\n")
		if err := checkPerms("--token-file", r.TokenFile, false, ""); err != nil {
			return "", err
		}
	}
	t = strings.TrimSpace(t)
	if t == "" {
		return "", usagef("--server needs a token: set RUNBOOK_TOKEN or pass --token-file FILE")
	}
	return t, nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// do sends a request with body (JSON, when not nil) and decodes a 2xx
// answer into out. Errors map to exit codes: an unreachable server 3, a
// refusal or unknown token 1, a bad request 2.
func (a *api) do(method, path string, body, out any) error {
	_, err := a.doHeader(method, path, body, out)
	return err
}

// doHeader is do that also returns the answer's header.
func (a *api) doHeader(method, path string, body, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, without the token
		}
		return nil, &unreachableError{msg: fmt.Sprintf("cannot reach the runbook server at %s: %v", a.base, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, &unreachableError{msg: fmt.Sprintf("reading the answer of %s: %v", a.base, err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return resp.Header, nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("%s %s: the answer is not the JSON expected: %v", method, path, err)
		}
		return resp.Header, nil
	}
	return nil, problemError(resp, raw)
}

// problemError explains an error answer, with the server's detail when it
// sent a problem+json.
func problemError(resp *http.Response, raw []byte) error {
	var p serve.Problem
	detail := resp.Status
	if json.Unmarshal(raw, &p) == nil && p.Detail != "" {
		detail = p.Detail
		if len(p.Errors) > 0 {
			detail += ":\n  " + strings.Join(p.Errors, "\n  ")
		}
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("the server does not know this token (401): check RUNBOOK_TOKEN or --token-file")
	case http.StatusForbidden:
		if !strings.HasPrefix(detail, "refused: ") {
			detail = "refused: " + detail
		}
		return errors.New(detail)
	case http.StatusBadRequest:
		return usagef("the server refused the request: %s", detail)
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return &unreachableError{msg: "the runbook server cannot serve this now: " + detail}
	}
	return errors.New(detail)
}

// escape makes an execution ID one path segment (IDs may hold "/").
func escape(id string) string { return url.PathEscape(id) }
