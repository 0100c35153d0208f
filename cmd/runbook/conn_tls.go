package main

import (
	"strings"

	"go.temporal.io/sdk/contrib/envconfig"
)

// tlsFlags are the Temporal CLI's TLS, API key and gRPC metadata flags.
type tlsFlags struct {
	// TLS is nil unless given: then the profile, or the other TLS
	// settings, decide.
	TLS                        *bool    `name:"tls" help:"Connect with TLS (default: when a TLS flag, the profile or --api-key asks for it; --tls=false turns it off)." env:"TEMPORAL_TLS"`
	TLSCertPath                string   `name:"tls-cert-path" help:"Client certificate for mTLS." env:"TEMPORAL_TLS_CLIENT_CERT_PATH" type:"path"`
	TLSKeyPath                 string   `name:"tls-key-path" help:"Client key for mTLS." env:"TEMPORAL_TLS_CLIENT_KEY_PATH" type:"path"`
	TLSCAPath                  string   `name:"tls-ca-path" help:"CA certificate of the server." env:"TEMPORAL_TLS_SERVER_CA_CERT_PATH" type:"path"`
	TLSServerName              string   `name:"tls-server-name" placeholder:"NAME" help:"Name the server's certificate must carry (default: the address's host)." env:"TEMPORAL_TLS_SERVER_NAME"`
	TLSDisableHostVerification bool     `name:"tls-disable-host-verification" help:"Accept any server certificate (insecure: for tests)." env:"TEMPORAL_TLS_DISABLE_HOST_VERIFICATION"`
	APIKey                     string   `name:"api-key" help:"API key (enables TLS)." env:"TEMPORAL_API_KEY"`
	GRPCMeta                   []string `name:"grpc-meta" placeholder:"KEY=VALUE" sep:"none" help:"gRPC metadata sent with every request, besides TEMPORAL_GRPC_META_KEY variables. Repeatable."`
}

// apply sets the flags given over the profile p (already holding the
// file's profile and the TEMPORAL_* variables).
func (f *tlsFlags) apply(p *envconfig.ClientConfigProfile) error {
	t := p.TLS
	if t == nil {
		t = &envconfig.ClientConfigTLS{}
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&t.ClientCertPath, f.TLSCertPath)
	set(&t.ClientKeyPath, f.TLSKeyPath)
	set(&t.ServerCACertPath, f.TLSCAPath)
	set(&t.ServerName, f.TLSServerName)
	set(&p.APIKey, f.APIKey)
	if f.TLSDisableHostVerification {
		t.DisableHostVerification = true
	}
	if f.TLS != nil {
		t.Disabled = !*f.TLS
	}
	// Any TLS setting turns TLS on, as for the Temporal CLI; --tls=false
	// (or TEMPORAL_TLS=false, or tls.disabled) keeps it off.
	if p.TLS != nil || f.TLS != nil || tlsWanted(t) {
		p.TLS = t
	}
	if t.ClientCertPath != "" && t.ClientKeyPath == "" || t.ClientKeyPath != "" && t.ClientCertPath == "" {
		return usagef("--tls-cert-path and --tls-key-path go together")
	}
	for _, kv := range f.GRPCMeta {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usagef("--grpc-meta %q: want KEY=VALUE", kv)
		}
		if p.GRPCMeta == nil {
			p.GRPCMeta = map[string]string{}
		}
		p.GRPCMeta[envconfig.NormalizeGRPCMetaKey(k)] = v
	}
	return nil
}

// tlsWanted reports whether t holds any setting.
func tlsWanted(t *envconfig.ClientConfigTLS) bool {
	return t.ClientCertPath != "" || t.ClientKeyPath != "" || t.ServerCACertPath != "" || t.ServerName != "" ||
		len(t.ClientCertData)+len(t.ClientKeyData)+len(t.ServerCACertData) > 0 || t.DisableHostVerification
}
