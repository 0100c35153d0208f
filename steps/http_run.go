package steps

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// The ApplicationError types of the http activity's failures.
const (
	ErrHTTPStatus = "HTTPStatus" // a status the step does not expect
	ErrHTTP       = "HTTPError"  // no response: network, TLS, redirects
)

// MaxHTTPBody is how much of a response body the http activity keeps in
// result.body; the rest is read no further and dropped.
const MaxHTTPBody = 1 << 20

// WithHTTPStepClient sends the http steps' requests through c instead of
// the default transport (AWS calls use WithHTTPClient's): c's transport
// as it is, unguarded (see stepClient); redirects are still checked.
func WithHTTPStepClient(c *http.Client) ActivitiesOption {
	return func(a *Activities) { a.web = c }
}

// HTTP sends the engine.HTTPRequest in c.Input and evaluates c's outputs on
// the response as `result`: status, headers (canonical names, values
// joined by ", "), body (text, cut at MaxHTTPBody) and json (the body
// parsed when it is JSON, else nil). A string body is sent as text/plain,
// any other as JSON, unless the headers set a Content-Type. Up to 10
// redirects are followed, none when Expect lists a 3xx.
//
// A status outside Expect (default: any 2xx) fails with an ErrHTTPStatus
// error, retryable for 429 and 5xx; no response fails with an ErrHTTP
// error, retryable unless the server's certificate is refused. Headers and
// bodies may hold secrets: they are never logged, and messages show the
// URL without userinfo and with its query values replaced by REDACTED
// (its path is shown as it is).
func (a *Activities) HTTP(ctx context.Context, c engine.Call) (engine.CallResult, error) {
	r, err := httpRequest(c.Input)
	if err != nil {
		return engine.CallResult{}, err
	}
	req, where, err := newHTTPRequest(ctx, r)
	if err != nil {
		return engine.CallResult{}, err
	}
	stop := keepAlive(ctx)
	result, err := a.send(a.stepClient(r.AllowPrivate, r.Headers), req, r.Expect)
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return engine.CallResult{}, ctx.Err()
		}
		var cert *tls.CertificateVerificationError // no retry will fix these
		var denied *errDenied
		return engine.CallResult{}, temporal.NewApplicationErrorWithOptions(where+": "+err.Error(), ErrHTTP,
			temporal.ApplicationErrorOptions{NonRetryable: errors.As(err, &cert) || errors.As(err, &denied)})
	}
	status := int(result["status"].(int64))
	activity.GetLogger(ctx).Info("http", "method", r.Method, "url", redactor(c.Secrets).Text(redactURL(req.URL)), "status", status)
	if !expected(r.Expect, status) {
		msg := fmt.Sprintf("%s: status %d, expected %s", where, status, expectText(r.Expect))
		retry := status == http.StatusTooManyRequests || status >= 500
		return engine.CallResult{}, temporal.NewApplicationErrorWithOptions(msg, ErrHTTPStatus,
			temporal.ApplicationErrorOptions{NonRetryable: !retry})
	}
	outs, err := outputs(c, callEnv(c, result))
	if err != nil {
		return engine.CallResult{}, err
	}
	return engine.CallResult{Outputs: outs, Seal: c.Seal}, nil
}

// send sends req with client and reads the response into the activity's
// result. When expect accepts a 3xx, redirects are not followed.
func (a *Activities) send(client *http.Client, req *http.Request, expect []int) (map[string]any, error) {
	for _, s := range expect {
		if s >= 300 && s < 400 {
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			break
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its message holds the full URL
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(body) > MaxHTTPBody {
		body = cutUTF8(body, MaxHTTPBody)
	}
	headers := make(map[string]any, len(resp.Header))
	for k, v := range resp.Header {
		headers[http.CanonicalHeaderKey(k)] = strings.Join(v, ", ")
	}
	return map[string]any{
		"status":  int64(resp.StatusCode),
		"headers": headers,
		"body":    string(body),
		"json":    parseJSON(body),
	}, nil
}

// newHTTPRequest builds r's request and the "METHOD REDACTED-URL" its
// messages start with.
func newHTTPRequest(ctx context.Context, r engine.HTTPRequest) (*http.Request, string, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its message holds the URL
			err = ue.Err
		}
		return nil, "", nonRetryable(ErrInvalidInput, "http: url is invalid: "+err.Error())
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, "", nonRetryable(ErrInvalidInput, fmt.Sprintf("http: url %s must be http:// or https:// with a host", redactURL(u)))
	}
	where := r.Method + " " + redactURL(u)
	var body io.Reader
	contentType := ""
	switch b := r.Body.(type) {
	case nil:
	case string:
		body, contentType = strings.NewReader(b), "text/plain; charset=utf-8"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, "", nonRetryable(ErrInvalidInput, where+": body: "+err.Error())
		}
		body, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, "", nonRetryable(ErrInvalidInput, where+": invalid request (method or header)")
	}
	for k, v := range r.Headers {
		if !validHeader(k, v) {
			return nil, "", nonRetryable(ErrInvalidInput, fmt.Sprintf("%s: header %q: invalid name or value", where, k))
		}
		if strings.EqualFold(k, "Host") {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	if contentType != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, where, nil
}

// httpRequest decodes a Call's Input into an HTTPRequest: the method
// upper-cased (default GET), scalars where text is expected, expect as one
// status or a list.
func httpRequest(in map[string]any) (engine.HTTPRequest, error) {
	var w struct {
		Method  text            `json:"method"`
		URL     text            `json:"url"`
		Headers map[string]text `json:"headers"`
		Body    any             `json:"body"`
		Expect  statuses        `json:"expect"`
		Private bool            `json:"allowPrivate"`
	}
	if err := decodeInput(in, &w); err != nil {
		return engine.HTTPRequest{}, nonRetryable(ErrInvalidInput, "http input: "+err.Error())
	}
	r := engine.HTTPRequest{Method: strings.ToUpper(string(w.Method)), URL: string(w.URL), Body: w.Body, Expect: w.Expect,
		AllowPrivate: w.Private}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if len(w.Headers) > 0 {
		r.Headers = make(map[string]string, len(w.Headers))
		for k, v := range w.Headers {
			r.Headers[k] = string(v)
		}
	}
	return r, nil
}

// validHeader reports whether name is a token and value has no control
// characters but tab.
func validHeader(name, value string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	for _, c := range []byte(value) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// redactURL is u for messages and logs: no userinfo, no fragment, each
// query value replaced by REDACTED (the keys stay, to tell them apart).
func redactURL(u *url.URL) string {
	r := *u
	r.User, r.Fragment, r.RawFragment = nil, "", ""
	if r.RawQuery != "" {
		parts := strings.Split(r.RawQuery, "&")
		for i, p := range parts {
			if k, _, ok := strings.Cut(p, "="); ok {
				parts[i] = k + "=REDACTED"
			}
		}
		r.RawQuery = strings.Join(parts, "&")
	}
	return r.String()
}

// expected reports whether status is one of expect, or a 2xx when expect
// is empty.
func expected(expect []int, status int) bool {
	if len(expect) == 0 {
		return status >= 200 && status < 300
	}
	for _, s := range expect {
		if s == status {
			return true
		}
	}
	return false
}

func expectText(expect []int) string {
	if len(expect) == 0 {
		return "2xx"
	}
	s := make([]string, len(expect))
	for i, e := range expect {
		s[i] = strconv.Itoa(e)
	}
	return strings.Join(s, ", ")
}

// parseJSON returns body as data (integers as int, other numbers as
// float64) when it is one JSON value, else nil.
func parseJSON(body []byte) any {
	v, err := engine.ParseJSON(body)
	if err != nil {
		return nil
	}
	return v
}
