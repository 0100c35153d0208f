package embedded

import (
	"context"
	"fmt"
	"net"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// uiStartTimeout bounds the wait for the Web UI to listen.
const uiStartTimeout = 10 * time.Second

// startUI serves the Temporal Web UI on 127.0.0.1:UIPort, pointed at the frontend,
// and returns once it accepts connections.
func (s *Server) startUI(ctx context.Context) error {
	addr := hostPort(s.cfg.UIPort)
	// The UI server exits the process when it cannot listen: check first.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web UI port: %w", err)
	}
	_ = ln.Close()

	s.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                loopback,
		Port:                s.cfg.UIPort,
		TemporalGRPCAddress: s.addr,
		EnableUI:            true,
		DefaultNamespace:    s.cfg.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true}, // plain http on loopback
		HideLogs:            true,
		DisableNewsFetch:    true,
		Codec:               uiconfig.Codec{Endpoint: s.cfg.UICodec, IncludeCredentials: s.cfg.UICodec != ""},
	}))
	s.uiDone = make(chan error, 1)
	go func() { s.uiDone <- s.ui.Start() }()

	ctx, cancel := context.WithTimeout(ctx, uiStartTimeout)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = conn.Close()
			s.uiAddr = addr
			return nil
		}
		select {
		case err := <-s.uiDone:
			s.uiDone <- err // for Stop
			return fmt.Errorf("web UI stopped at start: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("web UI on %s: not listening after %v", addr, uiStartTimeout)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
