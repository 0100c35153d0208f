package serve

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// SNS signing certificates: fetched from SigningCertURL, chained to the
// verifier's roots, cached by URL.

const (
	snsCertCacheSize = 32       // certificates kept at most
	snsCertMaxBytes  = 64 << 10 // a certificate file, or an issuer's
	snsIssuerDepth   = 3        // issuers fetched up a chain at most
)

type snsCachedCert struct {
	cert  *x509.Certificate
	until time.Time // the first NotAfter of its verified chain
}

// cert returns the verified certificate at raw, from the cache while its
// chain is valid.
func (v *SNSVerifier) cert(ctx context.Context, raw string) (*x509.Certificate, error) {
	now := v.now()
	key, _, _ := strings.Cut(raw, "?")
	v.mu.Lock()
	c, ok := v.certs[key]
	v.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.cert, nil
	}
	cert, until, err := v.fetchCert(ctx, raw, now)
	if err != nil {
		return nil, err
	}
	v.store(key, snsCachedCert{cert, until}, now)
	return cert, nil
}

// store caches c under raw, dropping expired entries, then the oldest,
// when the cache is full.
func (v *SNSVerifier) store(raw string, c snsCachedCert, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.certs == nil {
		v.certs = map[string]snsCachedCert{}
	}
	if _, ok := v.certs[raw]; !ok {
		if len(v.order) >= snsCertCacheSize {
			kept := v.order[:0]
			for _, u := range v.order {
				if now.Before(v.certs[u].until) {
					kept = append(kept, u)
				} else {
					delete(v.certs, u)
				}
			}
			v.order = kept
		}
		if len(v.order) >= snsCertCacheSize {
			delete(v.certs, v.order[0])
			v.order = v.order[1:]
		}
		v.order = append(v.order, raw)
	}
	v.certs[raw] = c
}

// fetchCert fetches the certificate at raw and verifies its chain at now.
// The file's first certificate is the leaf, the others intermediates. AWS
// serves the leaf alone, so when the chain is incomplete the issuers are
// fetched from the URLs each certificate names (Authority Information
// Access), as browsers do; they are trusted only for chaining to the roots.
func (v *SNSVerifier) fetchCert(ctx context.Context, raw string, now time.Time) (*x509.Certificate, time.Time, error) {
	body, err := v.get(ctx, raw, snsCertMaxBytes)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("SNS signing certificate: %w", err)
	}
	certs, err := snsParseCerts(body)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("SNS signing certificate at %s: %v", raw, err)
	}
	leaf := certs[0]
	opts := x509.VerifyOptions{
		Roots:         v.Roots,
		Intermediates: x509.NewCertPool(),
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, // it signs messages, not TLS
	}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := leaf.Verify(opts)
	for next, depth := certs, 0; err != nil && depth < snsIssuerDepth && snsUnknownAuthority(err); depth++ {
		var ferr error
		if next, ferr = v.fetchIssuers(ctx, next); ferr != nil {
			return nil, time.Time{}, ferr
		}
		if len(next) == 0 {
			break // err is still Verify's
		}
		for _, c := range next {
			opts.Intermediates.AddCert(c)
		}
		chains, err = leaf.Verify(opts)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("SNS signing certificate at %s is not trusted: %v", raw, err)
	}
	if u, _ := url.Parse(raw); leaf.VerifyHostname(snsCertName) != nil && (u == nil || leaf.VerifyHostname(u.Hostname()) != nil) {
		names := strings.Join(append(leaf.DNSNames, leaf.Subject.CommonName)[:max(len(leaf.DNSNames), 1)], ", ")
		return nil, time.Time{}, fmt.Errorf("SNS signing certificate at %s is issued for %s, not %s", raw, names, snsCertName)
	}
	until := leaf.NotAfter
	for _, c := range chains[0] {
		if c.NotAfter.Before(until) {
			until = c.NotAfter
		}
	}
	return leaf, until, nil
}

// fetchIssuers fetches the issuers that certs name, at most two each.
func (v *SNSVerifier) fetchIssuers(ctx context.Context, certs []*x509.Certificate) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, c := range certs {
		for i, u := range c.IssuingCertificateURL {
			if i == 2 {
				break
			}
			body, err := v.get(ctx, u, snsCertMaxBytes)
			if err != nil {
				return nil, fmt.Errorf("issuer of the SNS signing certificate: %w", err)
			}
			issuers, err := snsParseCerts(body)
			if err != nil {
				return nil, fmt.Errorf("issuer of the SNS signing certificate at %s: %v", u, err)
			}
			out = append(out, issuers...)
		}
	}
	return out, nil
}

// snsParseCerts parses PEM certificates, or one DER certificate (as issuer
// URLs serve them).
func snsParseCerts(body []byte) ([]*x509.Certificate, error) {
	if !bytes.Contains(body, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(body)
		if err != nil {
			return nil, errors.New("neither PEM nor a DER certificate")
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, body = pem.Decode(body)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate in the PEM")
	}
	return out, nil
}

func snsUnknownAuthority(err error) bool {
	var ua x509.UnknownAuthorityError
	return errors.As(err, &ua)
}
