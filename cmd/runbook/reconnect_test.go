package main

import (
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tcpProxy forwards connections to target until cut, and can listen
// again on the same address: a Temporal frontend that dies and returns.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection, as a killed process.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// revive listens again on the same address.
func (p *tcpProxy) revive() { p.listen(p.addr) }

// TestFollowReconnects: `run` following an execution through a frontend
// that dies says the connection is lost, keeps trying, says when it is
// back and ends with the execution's outcome; with two frontends in
// --address it goes on through the other; a Temporal gone for longer
// than --reconnect ends the command with exit 3 and the watch command.
func TestFollowReconnects(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	env := append(e2eEnv(t), "RUNBOOK_INSECURE_GENERATED_KEY=true")
	state := t.TempDir()
	addr := e2eServerIn(t, env, state)
	dir := workdir(t, map[string]string{"e2e.yaml": e2eRunbook})
	for _, tc := range []struct {
		name      string
		frontends int
		back      bool // the cut frontend returns
		code      int
		want      []string
	}{
		{"one frontend, back", 1, true, 0, []string{"lost the connection to Temporal", "connection to Temporal restored", "ok nap"}},
		{"two frontends", 2, false, 0, []string{"ok nap"}},
		{"one frontend, gone", 1, false, 3, []string{"lost the connection to Temporal", "no answer from Temporal for 4s", "runbook watch e2e-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var proxies []*tcpProxy
			var addrs []string
			for range tc.frontends {
				p := newTCPProxy(t, addr)
				proxies = append(proxies, p)
				addrs = append(addrs, p.addr)
			}
			c := startChild(t, env, "run", "> nap", "run", filepath.Join(dir, "e2e.yaml"), "-p", "Queue=reconnect-"+strings.NewReplacer(" ", "-", ",", "").Replace(tc.name), "-p", "Nap=6s",
				"--address", strings.Join(addrs, ","), "--state-dir", state, "--reconnect", "4s")
			proxies[0].cut()
			if tc.back {
				for deadline := time.Now().Add(30 * time.Second); !strings.Contains(c.output(), "lost the connection"); time.Sleep(50 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("run did not say it lost the connection:\n%s", c.output())
					}
				}
				time.Sleep(time.Second)
				proxies[0].revive()
			}
			select {
			case <-c.exited:
			case <-time.After(2 * time.Minute):
				t.Fatalf("run did not end:\n%s", c.output())
			}
			code, stderr := c.cmd.ProcessState.ExitCode(), c.output()
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
		})
	}
}
