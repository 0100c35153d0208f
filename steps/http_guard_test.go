package steps

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/runbook-dev/runbook/engine"
)

// metadataServer plays the instance metadata service on loopback: what
// an http step must not reach unless it says so; hits counts its requests.
func metadataServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"AccessKeyId": "ASIA-INSTANCE", "SecretAccessKey": "instance-secret"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHTTPPrivateRefused: an http step (a definition's author, or params
// that build its URL) cannot read the worker's instance credentials: a
// loopback or link-local address is refused before anything is sent,
// whether named by IP or by a name that resolves to it, unless the step
// sets allowPrivate or the worker allows private addresses.
func TestHTTPPrivateRefused(t *testing.T) {
	var hits atomic.Int32
	srv := metadataServer(t, &hits)
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{srv.URL, "http://localhost" + port} {
		_, err := run(t, NewActivities(aws.Config{}), engine.ActivityHTTP, engine.Call{Input: map[string]any{
			"url": u + "/latest/meta-data/iam/security-credentials/worker"}})
		if ae := appError(t, err); ae.Type() != ErrHTTP || !ae.NonRetryable() || !strings.Contains(ae.Message(), "a loopback address") ||
			!strings.Contains(ae.Message(), "allowPrivate") {
			t.Errorf("%s: %s (non-retryable %v): %s", u, ae.Type(), ae.NonRetryable(), ae.Message())
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the metadata server answered %d requests", n)
	}
	allowed := engine.Call{Input: map[string]any{"url": srv.URL + "/latest/meta-data/", "allowPrivate": true},
		Outputs: outs("key=result.json.AccessKeyId")}
	if res, err := run(t, NewActivities(aws.Config{}), engine.ActivityHTTP, allowed); err != nil || res.Outputs["key"] != "ASIA-INSTANCE" {
		t.Errorf("allowPrivate: %v %v", res.Outputs, err)
	}
	delete(allowed.Input, "allowPrivate")
	if res, err := run(t, NewActivities(aws.Config{}, WithPrivateHTTP()), engine.ActivityHTTP, allowed); err != nil || res.Outputs["key"] != "ASIA-INSTANCE" {
		t.Errorf("WithPrivateHTTP: %v %v", res.Outputs, err)
	}
}

// TestDeniedAddr: the addresses refused without allowPrivate.
func TestDeniedAddr(t *testing.T) {
	for _, tt := range []struct {
		ip     string
		denied bool
	}{
		{"127.0.0.1", true}, {"127.9.9.9", true}, {"::1", true}, {"169.254.169.254", true}, {"169.254.170.2", true},
		{"fd00:ec2::254", true}, {"fe80::1", true}, {"0.0.0.0", true}, {"::", true}, {"::ffff:127.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"10.0.0.1", false}, {"192.168.1.1", false}, {"93.184.216.34", false}, {"2606:4700::1111", false}, {"fd00::1", false},
	} {
		if got := deniedAddr(net.ParseIP(tt.ip)) != ""; got != tt.denied {
			t.Errorf("%s: denied %v, want %v", tt.ip, got, tt.denied)
		}
	}
}

// TestHTTPRedirects: what a server the step may reach cannot do with a
// redirect. Here 127.0.0.2 stands for a denied address and everything
// else on loopback for the open network: a redirect to the denied
// address is refused at the connection; a redirect to another host gets
// none of the step's own headers (an API key meant for the first); a
// redirect from https down to http is refused.
func TestHTTPRedirects(t *testing.T) {
	var metaHits atomic.Int32
	meta := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { metaHits.Add(1) }))
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this host: %v", err)
	}
	meta.Listener = l
	meta.Start()
	defer meta.Close()
	seen := make(chan http.Header, 1)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen <- r.Header.Clone() }))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host
	first := http.NewServeMux()
	first.HandleFunc("/to-meta", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, meta.URL+"/latest/", http.StatusFound)
	})
	first.HandleFunc("/to-other", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, otherURL+"/", http.StatusFound) })
	plain := httptest.NewServer(first)
	defer plain.Close()
	secure := httptest.NewTLSServer(first)
	defer secure.Close()

	a := NewActivities(aws.Config{})
	a.denied = func(ip net.IP) string {
		if ip.Equal(net.ParseIP("127.0.0.2")) {
			return "a denied address (test)"
		}
		return ""
	}
	call := func(u string) error {
		_, err := run(t, a, engine.ActivityHTTP, engine.Call{Input: map[string]any{"url": u,
			"headers": map[string]any{"X-Api-Key": "first-host-key", "Authorization": "Bearer first-host-token"}}})
		return err
	}
	if err := call(plain.URL + "/to-meta"); err == nil || !strings.Contains(err.Error(), "a denied address (test)") || metaHits.Load() != 0 {
		t.Errorf("redirect to a denied address: %v, %d requests reached it", err, metaHits.Load())
	}
	if err := call(plain.URL + "/to-other"); err != nil {
		t.Fatal(err)
	}
	if h := <-seen; h.Get("X-Api-Key") != "" || h.Get("Authorization") != "" {
		t.Errorf("the other host got the step's headers: %v", h)
	}
	a = NewActivities(aws.Config{}, WithHTTPStepClient(secure.Client())) // trusts the test server's certificate
	if err := call(secure.URL + "/to-other"); err == nil || !strings.Contains(err.Error(), "from https down to http") {
		t.Errorf("redirect from https to http: %v", err)
	}
	select {
	case h := <-seen:
		t.Errorf("the downgraded request was sent: %v", h)
	default:
	}
}
