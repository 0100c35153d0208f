package steps

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// Where an http step may go. Unless the step sets allowPrivate or the
// worker allows private addresses (WithPrivateHTTP), its connections
// refuse loopback, link-local (169.254.0.0/16, fe80::/10: where instance
// metadata and container credentials answer), EC2's IPv6 metadata
// (fd00:ec2::/32) and unspecified addresses. The check is on the address
// dialled, after name resolution and on every redirect, so no name and no
// redirect leads there. A redirect from https down to http is refused,
// and one to another host carries none of the step's own headers.
// Requests through a proxy from the environment are checked at the proxy's
// address: the proxy's own policy applies beyond it.

// errDenied is the error of a connection to a denied address.
type errDenied struct {
	ip  net.IP
	why string
}

func (e *errDenied) Error() string {
	return fmt.Sprintf("an http step may not reach %s, %s: set allowPrivate: true on the step (or --allow-private-http on the worker) to allow it", e.ip, e.why)
}

var ec2Metadata6 = &net.IPNet{IP: net.ParseIP("fd00:ec2::"), Mask: net.CIDRMask(32, 128)}

// deniedAddr says why ip is refused without allowPrivate, "" when it is
// not.
func deniedAddr(ip net.IP) string {
	switch {
	case ip == nil:
		return ""
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address (instance metadata)"
	case ec2Metadata6.Contains(ip):
		return "EC2's IPv6 metadata address"
	case ip.IsUnspecified():
		return "the unspecified address"
	}
	return ""
}

// stepClient is the client of one http step's request: the worker's own
// client as given (WithHTTPStepClient), else the default transport's
// settings, its connections guarded unless allow; redirects are checked
// (see above) and stop after 10.
func (a *Activities) stepClient(allow bool, headers map[string]string) *http.Client {
	c := http.Client{Transport: a.transport(allow || a.private)}
	if a.web != nil {
		c = *a.web
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("refused a redirect from https down to http (%s)", redactURL(req.URL))
		}
		if !sameHost(req.URL, via[0].URL) {
			for k := range headers {
				req.Header.Del(k)
			}
		}
		return nil
	}
	return &c
}

func sameHost(a, b *url.URL) bool {
	return a.Hostname() == b.Hostname() && a.Port() == b.Port() && a.Scheme == b.Scheme
}

// transport is the open transport (allow) or the guarded one, made once.
func (a *Activities) transport(allow bool) http.RoundTripper {
	a.transportsOnce.Do(func() {
		open, guarded := http.DefaultTransport.(*http.Transport).Clone(), http.DefaultTransport.(*http.Transport).Clone()
		deny := a.denied
		if deny == nil {
			deny = deniedAddr
		}
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip != nil {
				if why := deny(ip); why != "" {
					return &errDenied{ip: ip, why: why}
				}
			}
			return nil
		}}
		guarded.DialContext = d.DialContext
		a.open, a.guarded = open, guarded
	})
	if allow {
		return a.open
	}
	return a.guarded
}
