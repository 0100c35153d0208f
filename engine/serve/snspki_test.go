package serve

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookServer is a TLS server (with httptest's own CA, which its Client
// trusts) that serves files by path and counts the requests for each.
// /confirm answers as SNS confirms a subscription, /refuse with 403.
type hookServer struct {
	srv   *httptest.Server
	files map[string][]byte
	mu    sync.Mutex
	count map[string]int
}

func newHookServer(t *testing.T) *hookServer {
	t.Helper()
	s := &hookServer{files: map[string][]byte{}, count: map[string]int{}}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.count[r.URL.Path]++
		s.mu.Unlock()
		switch body, ok := s.files[r.URL.Path]; {
		case r.URL.Path == "/confirm":
			_, _ = w.Write([]byte("<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>" +
				"arn:aws:sns:eu-west-1:123456789012:runbook-alarms:0b9f</SubscriptionArn></ConfirmSubscriptionResult>" +
				"</ConfirmSubscriptionResponse>"))
		case r.URL.Path == "/refuse":
			http.Error(w, "<ErrorResponse/>", http.StatusForbidden)
		case r.URL.Path == "/redirect": // to the certificate, as a bucket or a proxy might
			http.Redirect(w, r, "/cert.pem", http.StatusFound)
		case ok:
			_, _ = w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *hookServer) url(path string) string { return s.srv.URL + path }

func (s *hookServer) hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[path]
}

func (s *hookServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.count {
		n += c
	}
	return n
}

// snsPKI is a test CA and the signing certificates served under files:
//
//	/cert.pem    the leaf, issued by the root
//	/chain.pem   the leaf issued by the intermediate, then the intermediate
//	/aia.pem     the leaf issued by the intermediate, which it names by URL
//	/inter.cer   the intermediate, DER
//	/noaia.pem   the leaf issued by the intermediate, which it does not name
//	/short.pem   the leaf, then an intermediate that expires before it
//	/other.pem   another leaf, issued by a root not trusted
//	/ecdsa.pem   an ECDSA certificate, issued by the root
//	/garbage.pem not a certificate
//	/wrongname.pem the leaf's key, issued by the root to evil.example.com
type snsPKI struct {
	roots    *x509.CertPool
	leafKey  *rsa.PrivateKey
	otherKey *rsa.PrivateKey
	files    map[string][]byte
}

// snsKeys are made once: RSA keys are slow to generate.
var snsKeys = sync.OnceValue(func() (k struct {
	root, inter, other *ecdsa.PrivateKey
	leaf, otherLeaf    *rsa.PrivateKey
}) {
	ec := func() *ecdsa.PrivateKey {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return key
	}
	rs := func() *rsa.PrivateKey {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return key
	}
	k.root, k.inter, k.other, k.leaf, k.otherLeaf = ec(), ec(), ec(), rs(), rs()
	return k
})

func newSNSPKI(t *testing.T, interURL string) *snsPKI {
	t.Helper()
	k := snsKeys()
	now := time.Now()
	serial := int64(0)
	notAfter := now.Add(24 * time.Hour) // a CA's
	issue := func(name string, ca bool, pub crypto.PublicKey, parent *x509.Certificate, signer crypto.Signer,
		aia ...string) *x509.Certificate {
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: notAfter,
			KeyUsage: x509.KeyUsageDigitalSignature, IsCA: ca, BasicConstraintsValid: true,
			IssuingCertificateURL: aia,
		}
		if ca {
			tmpl.KeyUsage |= x509.KeyUsageCertSign
		} else {
			tmpl.NotAfter = now.Add(2 * time.Hour)
			tmpl.DNSNames = []string{name}
		}
		if parent == nil {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pemOf := func(certs ...*x509.Certificate) []byte {
		var b []byte
		for _, c := range certs {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		return b
	}
	root := issue("Test SNS Root", true, k.root.Public(), nil, k.root)
	inter := issue("Test SNS Intermediate", true, k.inter.Public(), root, k.root)
	other := issue("Untrusted Root", true, k.other.Public(), nil, k.other)
	notAfter = now.Add(90 * time.Minute)
	short := issue("Test SNS Short Intermediate", true, k.inter.Public(), root, k.root)
	p := &snsPKI{roots: x509.NewCertPool(), leafKey: k.leaf, otherKey: k.otherLeaf, files: map[string][]byte{
		"/cert.pem":    pemOf(issue("sns.amazonaws.com", false, k.leaf.Public(), root, k.root)),
		"/chain.pem":   pemOf(issue("sns.amazonaws.com", false, k.leaf.Public(), inter, k.inter), inter),
		"/aia.pem":     pemOf(issue("sns.amazonaws.com", false, k.leaf.Public(), inter, k.inter, interURL)),
		"/inter.cer":   inter.Raw,
		"/noaia.pem":   pemOf(issue("sns.amazonaws.com", false, k.leaf.Public(), inter, k.inter)),
		"/short.pem":   pemOf(issue("sns.amazonaws.com", false, k.leaf.Public(), short, k.inter), short),
		"/other.pem":   pemOf(issue("sns.amazonaws.com", false, k.otherLeaf.Public(), other, k.other)),
		"/ecdsa.pem":   pemOf(issue("sns.amazonaws.com", false, k.inter.Public(), root, k.root)),
		"/garbage.pem": []byte("not a certificate"),
		"/wrongname.pem": pemOf(func() *x509.Certificate {
			c := issue("evil.example.com", false, k.leaf.Public(), root, k.root)
			return c
		}()),
	}}
	p.roots.AddCert(root)
	return p
}

// hookCheckErr fails t unless err holds want, or is nil when want is "".
func hookCheckErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error, want one with %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error %q, want one with %q", err, want)
	}
}

// hookCheckAlarm fails t unless got is want.
func hookCheckAlarm(t *testing.T, got, want *Alarm) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("got alarm\n%s\nwant\n%s", g, w)
	}
}
