package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"go.temporal.io/api/serviceerror"

	"github.com/runbook-dev/runbook/engine"
)

// The server's words for a search attribute the namespace lacks: when a
// start sets it (SQL visibility: no mapping; Elasticsearch: not defined),
// and when a list query reads it.
var missingAttrRE = regexp.MustCompile(`no mapping defined for search attribute (\w+)|search attribute (\w+) is not defined|invalid search attribute: (\w+)`)

// The server's words for a missing namespace, for errors that reach us
// as text (the SDK's worker flattens some).
var missingNamespaceRE = regexp.MustCompile(`[Nn]amespace (\S+) is not found`)

// notSetUp recognizes the errors of a namespace that is not set up for
// the engine, whatever command met them, and turns them into an
// environment error (exit 3) that names `runbook setup`; nil otherwise.
// exitCode calls it, so no command needs to.
func notSetUp(err error) *unreachableError {
	if err == nil {
		return nil
	}
	var nf *serviceerror.NamespaceNotFound
	ns := ""
	if errors.As(err, &nf) {
		ns = nf.Namespace
	}
	if m := missingNamespaceRE.FindStringSubmatch(err.Error()); ns == "" && m != nil {
		ns = m[1]
	}
	if ns != "" || nf != nil {
		return &unreachableError{msg: fmt.Sprintf("namespace %s does not exist: run `runbook setup --namespace %s`", ns, ns)}
	}
	for _, m := range missingAttrRE.FindAllStringSubmatch(err.Error(), -1) {
		name := m[1] + m[2] + m[3]
		if slices.Contains(engine.SearchAttributes, name) {
			return &unreachableError{msg: fmt.Sprintf("the namespace lacks the search attribute %s the engine uses: run `runbook setup` (with this command's --address and --namespace) to add it (%v)", name, err)}
		}
	}
	return nil
}
