package main

import (
	"cmp"
	"crypto/tls"
	"net/http"
	"path/filepath"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"go.temporal.io/sdk/converter"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/embedded"
)

// profileFlags choose a profile of the Temporal CLI's configuration file,
// a remote codec, and whether a host's generated key may do for a shared
// server.
type profileFlags struct {
	Profile              string `name:"profile" placeholder:"NAME" help:"Profile of the Temporal config file (default: default)." env:"TEMPORAL_PROFILE"`
	ConfigFile           string `name:"config-file" placeholder:"FILE" type:"path" help:"Temporal config file, TOML as the Temporal CLI's (default: $XDG_CONFIG_HOME/temporalio/temporal.toml). Flags and TEMPORAL_* variables override its profile." env:"TEMPORAL_CONFIG_FILE"`
	CodecEndpoint        string `name:"codec-endpoint" placeholder:"URL" help:"Codec server (Temporal's remote codec protocol, as runbook serve's /codec) that seals and opens payloads instead of a local key." env:"TEMPORAL_CODEC_ENDPOINT"`
	CodecAuth            string `name:"codec-auth" placeholder:"VALUE" help:"Authorization header sent to --codec-endpoint." env:"TEMPORAL_CODEC_AUTH"`
	InsecureGeneratedKey bool   `name:"insecure-generated-key" help:"With a Temporal server this process does not embed (--address, the profile's), seal secrets with this host's generated key anyway: only workers sharing this state directory can open them." env:"RUNBOOK_INSECURE_GENERATED_KEY"`

	settled bool
	prof    envconfig.ClientConfigProfile
}

// settle merges, once, the flags (and their TEMPORAL_* variables) over
// the profile of the Temporal config file: an address, a namespace, TLS,
// gRPC metadata and a codec server may come from there.
func (c *conn) settle() error {
	if c.settled {
		return nil
	}
	c.settled = true
	if c.local {
		c.Namespace = cmp.Or(c.Namespace, "default")
		return nil
	}
	p, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{ConfigFilePath: c.ConfigFile, ConfigFileProfile: c.Profile})
	if err != nil {
		return usagef("Temporal config file: %v", err)
	}
	if err := c.tlsFlags.apply(&p); err != nil {
		return err
	}
	c.Address = cmp.Or(c.Address, p.Address)
	c.Namespace = cmp.Or(c.Namespace, p.Namespace, "default")
	if p.Codec != nil && c.CodecEndpoint == "" {
		c.CodecEndpoint, c.CodecAuth = p.Codec.Endpoint, cmp.Or(c.CodecAuth, p.Codec.Auth)
	}
	c.prof = p
	return nil
}

// shared reports whether the process talks to a Temporal server it did
// not embed, named by --address, TEMPORAL_ADDRESS or the profile: other
// hosts' workers may run there. (The default address is the local
// runbook server, whose worker shares this host's state directory.)
func (c *conn) shared() bool { return c.Address != "" && !c.local }

// profileOptions are the client options of the settled profile: TLS,
// API key, gRPC metadata, authority. An embedded server gets none.
func (c *conn) profileOptions() (client.Options, error) {
	if err := c.settle(); err != nil {
		return client.Options{}, err
	}
	if c.local {
		return client.Options{}, nil
	}
	opts, err := c.prof.ToClientOptions(envconfig.ToClientOptionsRequest{})
	if err != nil {
		return opts, usagef("%v", err)
	}
	if t := opts.ConnectionOptions.TLS; t != nil {
		t.MinVersion = tls.VersionTLS12
	}
	return opts, nil
}

// codec is the payload codec of the connection: --codec-endpoint's
// server, else the configured keys, else this host's generated key,
// which refuses to seal for a shared server unless
// --insecure-generated-key (no worker elsewhere could open it).
func (c *conn) codec(stateDir string) (*engine.Codec, error) {
	if err := c.settle(); err != nil {
		return nil, err
	}
	if c.CodecEndpoint != "" {
		if c.CodecKeyFile != "" || c.CodecKeys != "" {
			return nil, usagef("--codec-endpoint and --codec-key-file exclude each other: the codec server holds the keys")
		}
		return &engine.Codec{Remote: c.remoteCodec()}, nil
	}
	codec, err := c.codecFlags.codec(stateDir)
	if err != nil || c.keyConfigured() || !c.shared() || c.InsecureGeneratedKey {
		return codec, err
	}
	return &engine.Codec{Keys: codec.Keys, Refuse: usagef("refused to seal a secret: no codec key is configured for %s, and this host's generated key (%s) is not its workers': they could not open it. "+
		"Pass the workers' keys with --codec-key-file (runbook keygen makes one) or a codec server with --codec-endpoint; --insecure-generated-key seals with this host's key anyway", c.Address, c.generatedKeyPath(stateDir))}, nil
}

// remoteCodec calls --codec-endpoint as the Temporal CLI does: the
// namespace in X-Namespace, --codec-auth in Authorization.
func (c *conn) remoteCodec() converter.PayloadCodec {
	ns, auth := c.Namespace, c.CodecAuth
	return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: c.CodecEndpoint,
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("X-Namespace", ns)
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			return nil
		},
	})
}

// keyConfigured reports whether keys (or a codec server) were given.
func (c *conn) keyConfigured() bool {
	return c.CodecKeyFile != "" || c.CodecKeys != "" || c.CodecEndpoint != ""
}

// requireKey refuses to run a worker for a shared server without the
// key every worker shares: each host would seal with its own generated
// key, and an execution with secrets started on one would fail on the
// others' workers.
func (c *conn) requireKey() error {
	if !c.runsWorker || !c.shared() || c.keyConfigured() || c.InsecureGeneratedKey {
		return nil
	}
	return usagef("no codec key: %s is a Temporal server this process does not embed, so other hosts may start executions and run workers there, "+
		"and this host's generated key (%s) is its own: an execution with secrets sealed elsewhere would fail here, and one sealed here elsewhere. "+
		"Make one key (runbook keygen > codec.keys; chmod 600 codec.keys) and give it to every worker and CLI with --codec-key-file codec.keys (or RUNBOOK_CODEC_KEY_FILE); "+
		"--insecure-generated-key uses this host's key anyway", c.Address, c.generatedKeyPath(c.StateDir))
}

// generatedKeyPath is where the state directory keeps the generated key.
func (c *conn) generatedKeyPath(stateDir string) string {
	if stateDir == "" {
		stateDir, _ = embedded.DefaultStateDir()
	}
	return filepath.Join(stateDir, engine.GeneratedKeyFile)
}
