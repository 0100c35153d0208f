package serve

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestSNSCertCache checks that a certificate is fetched once for many
// messages, and again once its chain has expired (the leaf, after 2 hours,
// or the short intermediate, after 90 minutes), to be refused.
func TestSNSCertCache(t *testing.T) {
	tests := []struct {
		path  string
		later time.Duration
	}{
		{"/cert.pem", 3 * time.Hour},
		{"/short.pem", 100 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f := newSNSFixture(t)
			for i := range 5 {
				m := f.notification(t, tt.path)
				m.MessageId = fmt.Sprint("id-", i)
				f.sign(m, "2")
				if err := f.v.Verify(context.Background(), m); err != nil {
					t.Fatal(err)
				}
			}
			if n := f.hits(tt.path); n != 1 {
				t.Errorf("fetched the certificate %d times for 5 messages, want 1", n)
			}
			later := time.Now().Add(tt.later)
			f.v.Now = func() time.Time { return later }
			m := f.notification(t, tt.path)
			m.Timestamp = snsTime(later)
			f.sign(m, "2")
			hookCheckErr(t, f.v.Verify(context.Background(), m), "expired")
			if n := f.hits(tt.path); n != 2 {
				t.Errorf("fetched the certificate %d times, want 2 (again once the cached chain expired)", n)
			}
		})
	}
}

func TestSNSCertCacheBound(t *testing.T) {
	f := newSNSFixture(t)
	for i := range snsCertCacheSize + 8 {
		f.files[fmt.Sprintf("/cert-%d.pem", i)] = f.files["/cert.pem"]
	}
	verify := func(i int) {
		t.Helper()
		m := f.notification(t, fmt.Sprintf("/cert-%d.pem", i))
		if err := f.v.Verify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	for i := range snsCertCacheSize + 8 {
		verify(i)
	}
	if len(f.v.certs) != snsCertCacheSize || len(f.v.order) != snsCertCacheSize {
		t.Errorf("cache holds %d certificates in a list of %d, want %d", len(f.v.certs), len(f.v.order), snsCertCacheSize)
	}
	before := f.total()
	verify(snsCertCacheSize + 7) // the newest: cached
	verify(0)                    // the oldest: dropped
	if got := f.total() - before; got != 1 {
		t.Errorf("%d fetches for the newest and the oldest URL, want 1 (the oldest)", got)
	}
}

// TestSNSVerifyConcurrent verifies from many goroutines at once, sharing
// the cache (run with -race).
func TestSNSVerifyConcurrent(t *testing.T) {
	f := newSNSFixture(t)
	paths := []string{"/cert.pem", "/chain.pem", "/aia.pem", "/noquery.pem"}
	f.files["/noquery.pem"] = f.files["/cert.pem"]
	msgs := make([]*SNSMessage, 32)
	for i := range msgs {
		msgs[i] = f.notification(t, paths[i%len(paths)])
	}
	errs := make(chan error, len(msgs))
	for _, m := range msgs {
		go func() { errs <- f.v.Verify(context.Background(), m) }()
	}
	for range msgs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := len(f.v.certs); n != len(paths) {
		t.Errorf("%d certificates cached, want %d", n, len(paths))
	}
}

// TestSNSCertCacheQuery: the cache is keyed by the certificate's URL
// without its query, so varying the query fetches nothing more.
func TestSNSCertCacheQuery(t *testing.T) {
	f := newSNSFixture(t)
	for i := range 3 {
		m := f.notification(t, fmt.Sprintf("/cert.pem?nonce=%d", i))
		if err := f.v.Verify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.hits("/cert.pem"); n != 1 {
		t.Errorf("fetched the certificate %d times for 3 queries, want 1", n)
	}
}

// TestSNSTopicsRequired: a verifier without topics accepts nothing: any
// AWS account could otherwise subscribe the hook to its own topic.
func TestSNSTopicsRequired(t *testing.T) {
	f := newSNSFixture(t)
	f.v.Topics = nil
	hookCheckErr(t, f.v.Verify(context.Background(), f.notification(t, "/cert.pem")), "no SNS topic is configured")
	before := f.hits("/confirm")
	hookCheckErr(t, f.v.Confirm(context.Background(), f.confirmation(f.url("/confirm"))), "no SNS topic is configured")
	if f.hits("/confirm") != before {
		t.Error("a confirmation was fetched without topics")
	}
}
