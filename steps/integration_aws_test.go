package steps_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// awsTransport sits between the SDK and the emulators: it records every
// request (operation, signing region, host) and answers the first n
// requests of an operation with HTTP 400 and a ThrottlingException in the
// JSON protocols' error format (awsJson1_0 for SQS and DynamoDB, 1.1 for
// Secrets Manager: the X-Amzn-ErrorType header and a __type body; SQS also
// reads X-Amzn-Query-Error), then passes requests through to the emulator.
type awsTransport struct {
	base http.RoundTripper

	mu       sync.Mutex
	throttle map[string]int // operation -> answers still to throttle
	calls    []awsCall
}

// awsCall is one request the SDK sent.
type awsCall struct {
	Op        string // ListQueues, from X-Amz-Target (or the query protocol's Action)
	DryRun    string // the query protocol's DryRun parameter (EC2)
	Region    string // of the SigV4 credential scope
	Host      string
	Throttled bool
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/`)

func (tr *awsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	target := req.Header.Get("X-Amz-Target")
	c := awsCall{Op: target[strings.LastIndex(target, ".")+1:], Host: req.URL.Host}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			c.Op, c.DryRun = form.Get("Action"), form.Get("DryRun")
		}
	}
	if m := credentialScope.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		c.Region = m[1]
	}
	tr.mu.Lock()
	if tr.throttle[c.Op] > 0 {
		tr.throttle[c.Op]--
		c.Throttled = true
	}
	tr.calls = append(tr.calls, c)
	tr.mu.Unlock()
	if !c.Throttled {
		return tr.base.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	body := `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"}`
	return &http.Response{
		Status: "400 Bad Request", StatusCode: http.StatusBadRequest,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":       {req.Header.Get("Content-Type")},
			"X-Amzn-Errortype":   {"ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"},
			"X-Amzn-Query-Error": {"ThrottlingException;Sender"},
			"X-Amzn-Requestid":   {"throttled-by-the-test"},
		},
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(strings.NewReader(body)),
		Request:       req,
	}, nil
}

// ops returns the operations called so far, "Op@region", throttled ones
// marked with a trailing "!".
func (tr *awsTransport) ops() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := make([]string, len(tr.calls))
	for i, c := range tr.calls {
		out[i] = c.Op + "@" + c.Region
		if c.Throttled {
			out[i] += "!"
		}
	}
	return out
}

// all returns the requests sent so far.
func (tr *awsTransport) all() []awsCall {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]awsCall(nil), tr.calls...)
}

// count returns how many requests of op were sent.
func (tr *awsTransport) count(op string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, c := range tr.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// startDynalite starts dynalite (a DynamoDB emulator whose tables stay
// CREATING for createTableMs) on a free port and returns its URL. It is
// found through RUNBOOK_DYNALITE (the path of its bin) or in .ci/node_modules,
// where .ci/run installs it; when missing the test is skipped, except in CI
// (CI set), where it fails.
func startDynalite(t *testing.T, createTableMs int) string {
	t.Helper()
	bin := findDynalite(t)
	for try := 0; ; try++ {
		url, err := tryDynalite(t, bin, createTableMs)
		if err == nil {
			return url
		}
		if try == 2 {
			t.Fatalf("dynalite: %v", err)
		}
	}
}

func findDynalite(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("RUNBOOK_DYNALITE"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, ".ci", "node_modules", ".bin", "dynalite")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	const hint = "dynalite not found: set RUNBOOK_DYNALITE or run `npm install --prefix .ci dynalite@4.0.0`"
	if os.Getenv("CI") != "" {
		t.Fatal(hint)
	}
	t.Skip(hint)
	return ""
}

// tryDynalite starts dynalite on a port that was free a moment ago and
// waits for its "listening" line.
func tryDynalite(t *testing.T, bin string, createTableMs int) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--createTableMs", fmt.Sprint(createTableMs))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "listening at: "); ok {
				listening <- url
			}
		}
	}()
	select {
	case url := <-listening:
		t.Cleanup(stop)
		return url, nil
	case <-exited:
		return "", fmt.Errorf("exited: %s", stderr.String())
	case <-time.After(15 * time.Second):
		stop()
		return "", fmt.Errorf("not listening after 15s: %s", stderr.String())
	}
}
