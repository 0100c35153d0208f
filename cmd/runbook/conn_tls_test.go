package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TestConnectTLS puts a TLS-terminating proxy with a self-signed
// certificate for temporal.test in front of a server started with --ip
// 0.0.0.0, and connects through it as the Temporal CLI's flags,
// variables and config-file profiles say: the handshake checks the
// server name and the CA unless told not to. The server also answers on
// a non-loopback address, and warns that it has no TLS.
func TestConnectTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	srv := startChild(t, env, "server", `Temporal server on (\S+) `, "server", "--ip", "0.0.0.0", "--no-worker", "--headless", "--port", "0", "--state-dir", t.TempDir())
	backend := srv.ready[1]
	if !strings.Contains(srv.output(), "warning: listening on 0.0.0.0 without TLS") {
		t.Errorf("server --ip 0.0.0.0 does not warn:\n%s", srv.output())
	}
	dir := t.TempDir()
	ca, cert := selfSigned(t, dir, "temporal.test")
	proxy := tlsProxy(t, cert, backend)

	if ip := nonLoopbackIP(); ip != "" {
		_, port, _ := net.SplitHostPort(backend)
		if r := e2eRun(t, dir, env, "list", "--address", net.JoinHostPort(ip, port)); r.code != 0 {
			t.Errorf("list on %s: %s", ip, r)
		}
	}

	toml := filepath.Join(dir, "temporal.toml")
	writeFile(t, toml, `[profile.default]
address = "`+proxy+`"
[profile.default.tls]
server_ca_cert_path = "`+ca+`"
server_name = "temporal.test"

[profile.lax]
address = "`+proxy+`"
[profile.lax.tls]
disable_host_verification = true
`)
	xdg := filepath.Join(dir, "xdg")
	writeFile(t, filepath.Join(xdg, "temporalio", "temporal.toml"), "[profile.default]\naddress = \""+proxy+"\"\n[profile.default.tls]\nserver_ca_cert_path = \""+ca+"\"\nserver_name = \"temporal.test\"\n")

	tests := []struct {
		name string
		args []string
		env  []string
		want int
	}{
		{"CA and server name", []string{"--address", proxy, "--tls", "--tls-ca-path", ca, "--tls-server-name", "temporal.test"}, nil, 0},
		{"TLS implied by the CA", []string{"--address", proxy, "--tls-ca-path", ca, "--tls-server-name", "temporal.test"}, nil, 0},
		{"wrong server name", []string{"--address", proxy, "--tls-ca-path", ca}, nil, 3},
		{"unknown CA", []string{"--address", proxy, "--tls", "--tls-server-name", "temporal.test"}, nil, 3},
		{"host verification off", []string{"--address", proxy, "--tls", "--tls-disable-host-verification"}, nil, 0},
		{"no TLS", []string{"--address", proxy}, nil, 3},
		{"--tls=false over the CA", []string{"--address", proxy, "--tls=false", "--tls-ca-path", ca, "--tls-server-name", "temporal.test"}, nil, 3},
		{"variables", []string{"--address", proxy}, []string{"TEMPORAL_TLS=true", "TEMPORAL_TLS_SERVER_CA_CERT_PATH=" + ca, "TEMPORAL_TLS_SERVER_NAME=temporal.test"}, 0},
		{"variable: no host verification", []string{"--address", proxy}, []string{"TEMPORAL_TLS=true", "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true"}, 0},
		{"config file's default profile", nil, []string{"TEMPORAL_CONFIG_FILE=" + toml}, 0},
		{"--config-file", []string{"--config-file", toml}, nil, 0},
		{"TEMPORAL_PROFILE", nil, []string{"TEMPORAL_CONFIG_FILE=" + toml, "TEMPORAL_PROFILE=lax"}, 0},
		{"flag over the profile", []string{"--tls-server-name", "other.test"}, []string{"TEMPORAL_CONFIG_FILE=" + toml}, 3},
		{"XDG_CONFIG_HOME's file", nil, []string{"XDG_CONFIG_HOME=" + xdg}, 0},
		{"unknown profile", []string{"--profile", "nope"}, []string{"TEMPORAL_CONFIG_FILE=" + toml}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e2eRun(t, dir, append(append([]string{}, env...), tt.env...), append([]string{"list"}, tt.args...)...)
			if r.code != tt.want {
				t.Errorf("list %s (env %s): exit %d, want %d\n%s", strings.Join(tt.args, " "), tt.env, r.code, tt.want, r)
			}
		})
	}
}

// TestGRPCMeta: --grpc-meta and TEMPORAL_GRPC_META_* arrive as metadata
// at a gRPC listener (one that answers every call Unavailable).
func TestGRPCMeta(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []metadata.MD
	gs := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		md, _ := metadata.FromIncomingContext(stream.Context())
		mu.Lock()
		seen = append(seen, md)
		mu.Unlock()
		return status.Error(codes.Unavailable, "recording only")
	}))
	go func() { _ = gs.Serve(l) }()
	t.Cleanup(gs.Stop)
	env := append(e2eEnv(t), "TEMPORAL_GRPC_META_X_TRACE_ID=abc")
	r := e2eRun(t, t.TempDir(), env, "list", "--address", l.Addr().String(), "--grpc-meta", "x-team=ops", "--grpc-meta", "X-Shard=7")
	if r.code != 3 {
		t.Errorf("list against a listener that answers Unavailable: want exit 3\n%s", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no call reached the listener")
	}
	for _, md := range seen {
		for k, want := range map[string]string{"x-team": "ops", "x-shard": "7", "x-trace-id": "abc"} {
			if got := md.Get(k); len(got) != 1 || got[0] != want {
				t.Errorf("metadata %s = %q, want %q (all: %v)", k, got, want, md)
			}
		}
	}
}

// selfSigned writes a self-signed certificate for name to dir/ca.pem and
// returns its path and the certificate with its key.
func selfSigned(t *testing.T, dir, name string) (string, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ca.pem")
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	return path, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsProxy terminates TLS (offering h2, as gRPC wants) with cert and
// forwards the bytes to backend; it returns its address.
func tlsProxy(t *testing.T, cert tls.Certificate, backend string) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).HandshakeContext(context.Background()); err != nil {
					return
				}
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer b.Close()
				go func() { _, _ = io.Copy(b, c) }()
				_, _ = io.Copy(c, b)
			}()
		}
	}()
	return l.Addr().String()
}

// nonLoopbackIP is an IPv4 address of this host beyond loopback, or "".
func nonLoopbackIP() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
