package serve

import (
	"net/http"
	"slices"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// The codec server speaks Temporal's remote codec protocol (POST
// /codec/encode and /codec/decode with a JSON Payloads body), so the
// Temporal Web UI (codec endpoint, includeCredentials) and the temporal
// CLI (--codec-endpoint, --codec-auth "Bearer TOKEN") show the payloads
// this server's key encrypts.
//
// Who may: a caller with an API token (Authorization: Bearer), or with a
// page session when the request comes from one of Config.CodecOrigins
// (the Web UI's origin, answered with CORS); nobody else. Payloads that
// carry a secret open only for members of Config.AdminGroup: others get
// them back still encrypted.

// codecRoutes registers the codec endpoints.
func (s *Server) codecRoutes(m *http.ServeMux) {
	if s.cfg.Codec == nil {
		return
	}
	all := converter.NewPayloadCodecHTTPHandler(s.cfg.Codec)
	public := converter.NewPayloadCodecHTTPHandler(publicCodec{s.cfg.Codec})
	for _, op := range []string{"encode", "decode"} {
		path := "/codec/" + op
		m.HandleFunc("OPTIONS "+path, s.codecPreflight)
		m.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			s.allowOrigin(w, r)
			c, ok := s.codecCaller(w, r)
			if !ok {
				return
			}
			// The SDK's handler takes the operation from the path's last
			// element: it is at /codec/ here as it expects.
			if interp.InGroup(c.Groups, s.cfg.AdminGroup) {
				all.ServeHTTP(w, r)
				return
			}
			public.ServeHTTP(w, r)
		})
	}
}

// codecCaller authenticates a codec request: its bearer token, else its
// page session when it comes from a configured Web UI origin.
func (s *Server) codecCaller(w http.ResponseWriter, r *http.Request) (Caller, bool) {
	if r.Header.Get("Authorization") != "" {
		c, err := s.tokens.Load().Authenticate(r)
		if err == nil {
			return c, true
		}
		unauthorized(w, err.Error())
		return Caller{}, false
	}
	if s.webUIOrigin(r) {
		if c, ok := s.pageCaller(w, r); ok {
			return c, true
		}
	}
	unauthorized(w, "the codec needs `Authorization: Bearer TOKEN`, or a signed-in page session from the Web UI's origin (--codec-origin)")
	return Caller{}, false
}

// webUIOrigin reports whether r comes from a configured Web UI origin.
func (s *Server) webUIOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o != "" && slices.Contains(s.cfg.CodecOrigins, o)
}

// allowOrigin adds the CORS headers a configured Web UI origin needs.
func (s *Server) allowOrigin(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	if !s.webUIOrigin(r) {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	h.Set("Access-Control-Allow-Credentials", "true")
}

// codecPreflight answers a CORS preflight: only for a configured origin.
func (s *Server) codecPreflight(w http.ResponseWriter, r *http.Request) {
	if !s.webUIOrigin(r) {
		w.Header().Add("Vary", "Origin")
		WriteProblem(w, http.StatusForbidden, "origin not allowed: runbook serve --codec-origin names the Web UI origins the codec answers")
		return
	}
	s.allowOrigin(w, r)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// publicCodec decodes what the codec encrypts at rest, except payloads
// carrying a secret: those stay encrypted.
type publicCodec struct{ c *engine.Codec }

func (p publicCodec) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return p.c.Encode(ps)
}

func (p publicCodec) Decode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out, err := p.c.Decode(ps)
	if err != nil {
		return nil, err
	}
	for i, d := range out {
		if engine.Sealed(d) {
			out[i] = ps[i]
		}
	}
	return out, nil
}
