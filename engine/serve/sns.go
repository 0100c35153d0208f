package serve

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" // SNS SignatureVersion 1 is SHA1withRSA
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// SNSMessage is one SNS HTTP(S) delivery: a Notification, a
// SubscriptionConfirmation or an UnsubscribeConfirmation, as SNS posts it.
type SNSMessage struct {
	Type             string `json:"Type"`
	MessageId        string `json:"MessageId"`
	TopicArn         string `json:"TopicArn"`
	Subject          string `json:"Subject,omitempty"`
	Message          string `json:"Message"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
	SubscribeURL     string `json:"SubscribeURL,omitempty"`
	Token            string `json:"Token,omitempty"`
	UnsubscribeURL   string `json:"UnsubscribeURL,omitempty"`
}

// SNS message types.
const (
	SNSNotification             = "Notification"
	SNSSubscriptionConfirmation = "SubscriptionConfirmation"
	SNSUnsubscribeConfirmation  = "UnsubscribeConfirmation"
)

// DefaultSNSHosts is the hosts SNS signs from and confirms on:
// sns.REGION.amazonaws.com for a region's name (us-east-1, eu-central-2,
// us-gov-west-1), and .amazonaws.com.cn in the China regions. A name that
// is no region's (sns.s3.amazonaws.com is an S3 bucket's) is refused.
var DefaultSNSHosts = regexp.MustCompile(`^sns\.(?:[a-z]{2}-(?:gov-)?[a-z]+-[0-9]+\.amazonaws\.com|cn-[a-z]+-[0-9]+\.amazonaws\.com\.cn)$`)

// snsCertNames are the names an SNS signing certificate is issued for:
// AWS issues them to sns.amazonaws.com whatever the region.
const snsCertName = "sns.amazonaws.com"

// DefaultSNSMaxAge is how old a message may be before Verify refuses it as
// a replay: SNS's longest delivery policy retries for up to an hour.
const DefaultSNSMaxAge = time.Hour

// snsSkew is how far in the future a message's Timestamp may be: clocks
// differ.
const snsSkew = 5 * time.Minute

// ErrFetch marks a failure to fetch from AWS (a signing certificate, an
// issuer certificate, a SubscribeURL): the fault may be the network's
// rather than the sender's, so a handler may answer 502 and let SNS retry.
// Every other error from SNSVerifier is the message's fault (4xx).
var ErrFetch = errors.New("fetch from AWS failed")

// SNSVerifier checks that SNS messages come from SNS, and confirms
// subscriptions. Its zero value verifies against AWS with the system's
// roots; it is safe for concurrent use and must not be copied after use.
//
// What Verify checks:
//   - the message type is known and the fields it signs are present;
//   - the TopicArn is one of Topics: a verifier without Topics accepts
//     nothing (any AWS account could subscribe the hook to its own topic);
//   - SigningCertURL is https on a host that Hosts matches, fetched without
//     following redirects;
//   - the certificate chains to Roots (the system's by default), fetching
//     its issuers from the URLs it names when the file holds the leaf
//     alone, as AWS's does, is valid now, and is issued for
//     sns.amazonaws.com (as AWS issues them whatever the region) or for
//     the URL's host;
//   - the signature, SHA1withRSA for SignatureVersion 1, SHA256withRSA for
//     2, over the string to sign that AWS documents;
//   - the Timestamp is no older than MaxAge and no more than 5 minutes
//     ahead.
//
// Certificates are cached by URL without its query, at most 32, each
// until the first NotAfter of its chain.
type SNSVerifier struct {
	Hosts  *regexp.Regexp   // SigningCertURL and SubscribeURL hosts; nil: DefaultSNSHosts
	Client *http.Client     // nil: one with a 10-second timeout
	Roots  *x509.CertPool   // roots the signing certificate chains to; nil: the system's
	Topics []string         // the only TopicArns accepted; empty: none
	MaxAge time.Duration    // replay window; 0: DefaultSNSMaxAge
	Now    func() time.Time // nil: time.Now

	mu    sync.Mutex
	certs map[string]snsCachedCert
	order []string // cached URLs, oldest first
}

var snsDefaultClient = &http.Client{Timeout: 10 * time.Second}

// Verify checks that m comes from SNS (see SNSVerifier), fetching its
// signing certificate unless cached.
func (v *SNSVerifier) Verify(ctx context.Context, m *SNSMessage) error {
	signed, err := snsStringToSign(m)
	if err != nil {
		return err
	}
	if err := v.checkTopic(m); err != nil {
		return err
	}
	var hash crypto.Hash
	var sum []byte
	switch m.SignatureVersion {
	case "1":
		h := sha1.Sum(signed)
		hash, sum = crypto.SHA1, h[:]
	case "2":
		h := sha256.Sum256(signed)
		hash, sum = crypto.SHA256, h[:]
	default:
		return fmt.Errorf("SNS SignatureVersion %q is not supported: want 1 (SHA1withRSA) or 2 (SHA256withRSA)", m.SignatureVersion)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	switch {
	case m.Signature == "":
		return fmt.Errorf("SNS %s is not signed: no Signature", m.Type)
	case err != nil:
		return errors.New("SNS Signature is not base64")
	}
	if err := v.checkTime(m.Timestamp); err != nil {
		return err
	}
	if _, err := v.checkURL("SigningCertURL", m.SigningCertURL); err != nil {
		return err
	}
	cert, err := v.cert(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("SNS signing certificate does not hold an RSA key")
	}
	if err := rsa.VerifyPKCS1v15(key, hash, sum, sig); err != nil {
		return errors.New("SNS signature does not match the message")
	}
	return nil
}

// Confirm confirms the subscription that a SubscriptionConfirmation asks
// for by fetching its SubscribeURL, when that is https on an allowed host
// and the topic is allowed. Call Verify first: Confirm checks no signature.
func (v *SNSVerifier) Confirm(ctx context.Context, m *SNSMessage) error {
	if m.Type != SNSSubscriptionConfirmation {
		return fmt.Errorf("SNS message of type %q confirms nothing: want %s", m.Type, SNSSubscriptionConfirmation)
	}
	if err := v.checkTopic(m); err != nil {
		return err
	}
	u, err := v.checkURL("SubscribeURL", m.SubscribeURL)
	if err != nil {
		return err
	}
	if _, err := v.get(ctx, u.String(), 1<<20); err != nil {
		return fmt.Errorf("confirming the subscription to %s: %w", m.TopicArn, err)
	}
	return nil
}

// snsStringToSign is the string that SNS signs for m, as AWS documents it:
// "Key\nValue\n" for each signed key in byte order. A Notification signs
// Message, MessageId, Subject (when present), Timestamp, TopicArn and
// Type; a confirmation signs Message, MessageId, SubscribeURL, Timestamp,
// Token, TopicArn and Type.
func snsStringToSign(m *SNSMessage) ([]byte, error) {
	var keys []string
	switch m.Type {
	case SNSNotification:
		keys = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	case SNSSubscriptionConfirmation, SNSUnsubscribeConfirmation:
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	case "":
		return nil, errors.New("not an SNS message: no Type")
	default:
		return nil, fmt.Errorf("SNS message Type %q is unknown: want %s, %s or %s",
			m.Type, SNSNotification, SNSSubscriptionConfirmation, SNSUnsubscribeConfirmation)
	}
	values := map[string]string{
		"Message": m.Message, "MessageId": m.MessageId, "Subject": m.Subject, "SubscribeURL": m.SubscribeURL,
		"Timestamp": m.Timestamp, "Token": m.Token, "TopicArn": m.TopicArn, "Type": m.Type,
	}
	var b strings.Builder
	for _, k := range keys {
		val := values[k]
		switch {
		case val != "":
		case k == "Subject": // signed only when present
			continue
		case k != "Message":
			return nil, fmt.Errorf("SNS %s has no %s", m.Type, k)
		}
		b.WriteString(k + "\n" + val + "\n")
	}
	return []byte(b.String()), nil
}

func (v *SNSVerifier) checkTopic(m *SNSMessage) error {
	if len(v.Topics) == 0 {
		return errors.New("no SNS topic is configured: this server accepts SNS messages only from the topics it names (--sns-topic)")
	}
	if !slices.Contains(v.Topics, m.TopicArn) {
		return fmt.Errorf("SNS topic %s is not one this server accepts", m.TopicArn)
	}
	return nil
}

func (v *SNSVerifier) checkTime(ts string) error {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return fmt.Errorf("SNS Timestamp %q is not an RFC 3339 time", ts)
	}
	maxAge := v.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultSNSMaxAge
	}
	now := v.now()
	switch {
	case now.Sub(t) > maxAge:
		return fmt.Errorf("SNS message of %s is older than %s: refused as a replay", ts, maxAge)
	case t.Sub(now) > snsSkew:
		return fmt.Errorf("SNS message of %s is more than %s in the future", ts, snsSkew)
	}
	return nil
}

// checkURL refuses a URL that is not https on an allowed host: SNS's
// certificates and confirmations come only from there.
func (v *SNSVerifier) checkURL(field, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return nil, fmt.Errorf("SNS %s is empty", field)
	case err != nil:
		return nil, fmt.Errorf("SNS %s %q is not a URL", field, raw)
	case u.Scheme != "https":
		return nil, fmt.Errorf("SNS %s %s is not https", field, raw)
	case u.User != nil:
		return nil, fmt.Errorf("SNS %s %s holds credentials", field, raw)
	}
	hosts := v.Hosts
	if hosts == nil {
		hosts = DefaultSNSHosts
	}
	if !hosts.MatchString(u.Hostname()) {
		return nil, fmt.Errorf("SNS %s host %q is not allowed (want one matching %s)", field, u.Hostname(), hosts)
	}
	return u, nil
}

// get fetches raw with v's client: the body, at most limit bytes, of a 2xx
// answer. Its errors wrap ErrFetch.
func (v *SNSVerifier) get(ctx context.Context, raw string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFetch, raw, err)
	}
	client := *snsDefaultClient
	if v.Client != nil {
		client = *v.Client
	}
	// SNS serves certificates and confirms subscriptions itself: a
	// redirect, to wherever, is refused (answered as it is, not 2xx).
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %s: %v", ErrFetch, raw, err)
	case resp.StatusCode/100 != 2:
		return nil, fmt.Errorf("%w: %s answered %s", ErrFetch, raw, resp.Status)
	case int64(len(body)) > limit:
		return nil, fmt.Errorf("%w: %s answered more than %d bytes", ErrFetch, raw, limit)
	}
	return body, nil
}

func (v *SNSVerifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}
