package serve

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSNSStringToSign(t *testing.T) {
	note := SNSMessage{Type: SNSNotification, MessageId: "id-1", TopicArn: "arn:aws:sns:us-east-1:123456789012:t",
		Subject: "ALARM: x", Message: "line 1\nline 2", Timestamp: "2026-11-26T10:00:00.512Z", Token: "ignored"}
	noSubject := note
	noSubject.Subject = ""
	confirm := SNSMessage{Type: SNSSubscriptionConfirmation, MessageId: "id-2", TopicArn: "arn:aws:sns:us-east-1:123456789012:t",
		Message: "You have chosen to subscribe.", Timestamp: "2026-11-26T10:00:00.512Z", Token: "tok",
		SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok", Subject: "ignored"}
	noToken := confirm
	noToken.Token = ""
	tests := []struct {
		name string
		m    SNSMessage
		want string
		err  string
	}{
		{name: "notification", m: note, want: "Message\nline 1\nline 2\nMessageId\nid-1\nSubject\nALARM: x\n" +
			"Timestamp\n2026-11-26T10:00:00.512Z\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nNotification\n"},
		{name: "notification without subject", m: noSubject, want: "Message\nline 1\nline 2\nMessageId\nid-1\n" +
			"Timestamp\n2026-11-26T10:00:00.512Z\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nNotification\n"},
		{name: "confirmation", m: confirm, want: "Message\nYou have chosen to subscribe.\nMessageId\nid-2\n" +
			"SubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok\n" +
			"Timestamp\n2026-11-26T10:00:00.512Z\nToken\ntok\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\n" +
			"Type\nSubscriptionConfirmation\n"},
		{name: "confirmation without token", m: noToken, err: "SNS SubscriptionConfirmation has no Token"},
		{name: "unknown type", m: SNSMessage{Type: "Gossip"}, err: `SNS message Type "Gossip" is unknown`},
		{name: "no type", m: SNSMessage{}, err: "not an SNS message: no Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := snsStringToSign(&tt.m)
			hookCheckErr(t, err, tt.err)
			if string(got) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestDefaultSNSHosts(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"sns.us-east-1.amazonaws.com", true},
		{"sns.cn-north-1.amazonaws.com.cn", true},
		{"sns.amazonaws.com", false},
		{"sns.us-east-1.amazonaws.com.evil.example", false},
		{"evil-sns.us-east-1.amazonaws.com", false},
		{"sns.us-east-1.amazonaws.com.", false},
		{"snsxus-east-1.amazonaws.com", false},
		{"s3.us-east-1.amazonaws.com", false},
		{"sns.s3.amazonaws.com", false}, // an S3 bucket named sns
		{"sns.s3-website.amazonaws.com", false},
		{"sns.my-bucket.amazonaws.com", false},
		{"sns.eu-central-2.amazonaws.com", true},
		{"sns.us-gov-west-1.amazonaws.com", true},
		{"sns.cn-northwest-1.amazonaws.com.cn", true},
		{"sns.ap-southeast-5.amazonaws.com", true},
	}
	for _, tt := range tests {
		if got := DefaultSNSHosts.MatchString(tt.host); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestSNSVerify(t *testing.T) {
	f := newSNSFixture(t)
	tests := []struct {
		name  string
		edit  func(m *SNSMessage) // after signing, unless it re-signs
		err   string
		fetch bool // the error wraps ErrFetch
	}{
		{name: "version 2"},
		{name: "version 1", edit: func(m *SNSMessage) { f.sign(m, "1") }},
		{name: "chain in the file", edit: func(m *SNSMessage) { f.resign(m, "/chain.pem") }},
		{name: "issuer fetched", edit: func(m *SNSMessage) { f.resign(m, "/aia.pem") }},
		{name: "no subject", edit: func(m *SNSMessage) { m.Subject = ""; f.sign(m, "2") }},
		{name: "confirmation", edit: func(m *SNSMessage) { *m = *f.confirmation(f.url("/confirm")) }},
		{name: "forged message", edit: func(m *SNSMessage) { m.Message = strings.Replace(m.Message, "ALARM", "OK", 1) },
			err: "SNS signature does not match the message"},
		{name: "forged subject", edit: func(m *SNSMessage) { m.Subject += "!" }, err: "does not match"},
		{name: "version 1 sent as 2", edit: func(m *SNSMessage) { f.sign(m, "1"); m.SignatureVersion = "2" },
			err: "does not match"},
		{name: "version 3", edit: func(m *SNSMessage) { m.SignatureVersion = "3" },
			err: `SNS SignatureVersion "3" is not supported: want 1 (SHA1withRSA) or 2 (SHA256withRSA)`},
		{name: "unsigned", edit: func(m *SNSMessage) { m.Signature = "" }, err: "SNS Notification is not signed"},
		{name: "signature not base64", edit: func(m *SNSMessage) { m.Signature = "%%%" }, err: "SNS Signature is not base64"},
		{name: "host not allowed", edit: func(m *SNSMessage) {
			m.SigningCertURL = strings.Replace(m.SigningCertURL, "127.0.0.1", "localhost", 1)
		}, err: `SNS SigningCertURL host "localhost" is not allowed`},
		{name: "http", edit: func(m *SNSMessage) { m.SigningCertURL = strings.Replace(m.SigningCertURL, "https:", "http:", 1) },
			err: "is not https"},
		{name: "no cert URL", edit: func(m *SNSMessage) { m.SigningCertURL = "" }, err: "SNS SigningCertURL is empty"},
		{name: "cert from another CA", edit: func(m *SNSMessage) { f.resign(m, "/other.pem") }, err: "is not trusted"},
		{name: "chain incomplete", edit: func(m *SNSMessage) { f.resign(m, "/noaia.pem") }, err: "is not trusted"},
		{name: "not RSA", edit: func(m *SNSMessage) { m.SigningCertURL = f.url("/ecdsa.pem") }, err: "does not hold an RSA key"},
		{name: "not a certificate", edit: func(m *SNSMessage) { m.SigningCertURL = f.url("/garbage.pem") },
			err: "neither PEM nor a DER certificate"},
		{name: "cert missing", edit: func(m *SNSMessage) { m.SigningCertURL = f.url("/missing.pem") },
			err: "answered 404", fetch: true},
		{name: "stale", edit: func(m *SNSMessage) { m.Timestamp = snsTime(time.Now().Add(-61 * time.Minute)); f.sign(m, "2") },
			err: "refused as a replay"},
		{name: "future", edit: func(m *SNSMessage) { m.Timestamp = snsTime(time.Now().Add(6 * time.Minute)); f.sign(m, "2") },
			err: "in the future"},
		{name: "bad timestamp", edit: func(m *SNSMessage) { m.Timestamp = "yesterday"; f.sign(m, "2") },
			err: `SNS Timestamp "yesterday" is not an RFC 3339 time`},
		{name: "topic not allowed", edit: func(m *SNSMessage) { m.TopicArn = "arn:aws:sns:us-east-1:999999999999:x"; f.sign(m, "2") },
			err: "SNS topic arn:aws:sns:us-east-1:999999999999:x is not one this server accepts"},
		{name: "cert issued for another name", edit: func(m *SNSMessage) { f.resign(m, "/wrongname.pem") },
			err: "is issued for evil.example.com, not sns.amazonaws.com"},
		{name: "cert behind a redirect", edit: func(m *SNSMessage) { f.resign(m, "/redirect") },
			err: "answered 302 Found", fetch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := f.notification(t, "/cert.pem")
			if tt.edit != nil {
				tt.edit(m)
			}
			err := f.v.Verify(context.Background(), m)
			hookCheckErr(t, err, tt.err)
			if got := errors.Is(err, ErrFetch); got != tt.fetch {
				t.Errorf("errors.Is(err, ErrFetch) = %v, want %v", got, tt.fetch)
			}
		})
	}
	if n := f.hits("/cert.pem") + f.hits("/inter.cer"); n != 2 {
		t.Errorf("fetched /cert.pem and /inter.cer %d times in all, want 2 (once each, then cached)", n)
	}
	// One fetch for each certificate URL on the allowed host, none for the
	// refused ones.
	if n := f.total(); n != 11 {
		t.Errorf("%d fetches in all, want 11", n)
	}
	if n := f.hits("/cert.pem"); n != 1 {
		t.Errorf("the redirect was followed: /cert.pem fetched %d times, want 1", n)
	}
}

func TestSNSConfirm(t *testing.T) {
	f := newSNSFixture(t)
	tests := []struct {
		name  string
		m     func() *SNSMessage
		err   string
		hits  int // of /confirm
		fetch bool
	}{
		{name: "allowed", m: func() *SNSMessage { return f.confirmation(f.url("/confirm")) }, hits: 1},
		{name: "host not allowed", m: func() *SNSMessage {
			return f.confirmation(strings.Replace(f.url("/confirm"), "127.0.0.1", "localhost", 1))
		}, err: `SNS SubscribeURL host "localhost" is not allowed`},
		{name: "http", m: func() *SNSMessage {
			return f.confirmation(strings.Replace(f.url("/confirm"), "https:", "http:", 1))
		}, err: "is not https"},
		{name: "credentials", m: func() *SNSMessage {
			return f.confirmation(strings.Replace(f.url("/confirm"), "https://", "https://u:p@", 1))
		}, err: "holds credentials"},
		{name: "topic not allowed", m: func() *SNSMessage {
			m := f.confirmation(f.url("/confirm"))
			m.TopicArn = "arn:aws:sns:us-east-1:999999999999:x"
			return m
		}, err: "is not one this server accepts"},
		{name: "notification", m: func() *SNSMessage {
			m := f.notification(t, "/cert.pem")
			m.SubscribeURL = f.url("/confirm")
			return m
		}, err: `SNS message of type "Notification" confirms nothing`},
		{name: "refused by SNS", m: func() *SNSMessage { return f.confirmation(f.url("/refuse")) },
			err: "answered 403 Forbidden", fetch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.hits("/confirm")
			err := f.v.Confirm(context.Background(), tt.m())
			hookCheckErr(t, err, tt.err)
			if got := errors.Is(err, ErrFetch); got != tt.fetch {
				t.Errorf("errors.Is(err, ErrFetch) = %v, want %v", got, tt.fetch)
			}
			if got := f.hits("/confirm") - before; got != tt.hits {
				t.Errorf("SubscribeURL fetched %d times, want %d", got, tt.hits)
			}
		})
	}
}

// snsFixture is a TLS server that serves signing certificates from
// snsPKI, and a verifier that trusts its roots and its host, 127.0.0.1.
type snsFixture struct {
	*hookServer
	pki *snsPKI
	v   *SNSVerifier
}

func newSNSFixture(t *testing.T) *snsFixture {
	t.Helper()
	ps := newHookServer(t)
	pki := newSNSPKI(t, ps.url("/inter.cer"))
	for path, body := range pki.files {
		ps.files[path] = body
	}
	return &snsFixture{hookServer: ps, pki: pki, v: &SNSVerifier{
		Hosts:  regexp.MustCompile(`^127\.0\.0\.1$`),
		Client: ps.srv.Client(),
		Roots:  pki.roots,
		Topics: []string{"arn:aws:sns:eu-west-1:123456789012:runbook-alarms"},
	}}
}

// notification is a Notification of testdata/sns-alarm.json signed now
// (version 2) with the certificate at path.
func (f *snsFixture) notification(t *testing.T, path string) *SNSMessage {
	m := &SNSMessage{
		Type: SNSNotification, MessageId: "5f6a3c2e-8d1b-5e7a-9c4f-2b1d0e9a8f76",
		TopicArn: "arn:aws:sns:eu-west-1:123456789012:runbook-alarms",
		Subject:  `ALARM: "orders-eu-backlog" in EU (Ireland)`, Message: hookTestdata(t, "sns-alarm.json"),
		Timestamp: snsTime(time.Now()), SigningCertURL: f.url(path),
		UnsubscribeURL: f.url("/?Action=Unsubscribe"),
	}
	f.sign(m, "2")
	return m
}

// confirmation is a SubscriptionConfirmation for subscribeURL, signed now.
func (f *snsFixture) confirmation(subscribeURL string) *SNSMessage {
	m := &SNSMessage{
		Type: SNSSubscriptionConfirmation, MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
		TopicArn: "arn:aws:sns:eu-west-1:123456789012:runbook-alarms", Token: "2336412f37fb687f5d51e6e2425",
		Message:   "You have chosen to subscribe to the topic arn:aws:sns:eu-west-1:123456789012:runbook-alarms.",
		Timestamp: snsTime(time.Now()), SigningCertURL: f.url("/cert.pem"), SubscribeURL: subscribeURL,
	}
	f.sign(m, "2")
	return m
}

// resign signs m with the key of the certificate at path.
func (f *snsFixture) resign(m *SNSMessage, path string) {
	m.SigningCertURL = f.url(path)
	f.sign(m, m.SignatureVersion)
}

// sign signs m as SNS does, with version's hash and the key of the
// certificate m.SigningCertURL names.
func (f *snsFixture) sign(m *SNSMessage, version string) {
	m.SignatureVersion = version
	signed, err := snsStringToSign(m)
	if err != nil {
		panic(err)
	}
	key := f.pki.leafKey
	if strings.Contains(m.SigningCertURL, "/other.pem") {
		key = f.pki.otherKey
	}
	var sig []byte
	if version == "1" {
		sum := sha1.Sum(signed)
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, sum[:])
	} else {
		sum := sha256.Sum256(signed)
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	}
	if err != nil {
		panic(err)
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
}

func snsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func hookTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
