package main

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// frontends points opts at every address of a comma-separated --address
// (HOST:PORT,HOST:PORT): the SDK balances calls over them round robin,
// and a call whose frontend dies goes to another. A single address, or
// a gRPC target such as dns:///NAME:PORT, is used as it is.
func frontends(opts *client.Options, address string) error {
	if !strings.Contains(address, ",") {
		return nil
	}
	var addrs []resolver.Address
	for _, a := range strings.Split(address, ",") {
		a = strings.TrimSpace(a)
		if a == "" || strings.Contains(a, "://") {
			return usagef("--address %q: give several frontends as HOST:PORT,HOST:PORT (or one dns:///NAME:PORT)", address)
		}
		addrs = append(addrs, resolver.Address{Addr: a})
	}
	r := manual.NewBuilderWithScheme("runbook-frontends")
	r.InitialState(resolver.State{Addresses: addrs})
	opts.HostPort = fmt.Sprintf("%s:///%s", r.Scheme(), addrs[0].Addr)
	// The first address names the server, for TLS as for one address.
	opts.ConnectionOptions.DialOptions = append(opts.ConnectionOptions.DialOptions, grpc.WithResolvers(r), grpc.WithAuthority(addrs[0].Addr))
	return nil
}
