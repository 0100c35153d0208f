package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/runbook-dev/runbook/engine"
)

// setupCmd prepares a namespace of any Temporal cluster for the engine.
type setupCmd struct {
	Retention string        `default:"30d" help:"Retention of closed executions, for a namespace setup creates (e.g. 30d, 72h)."`
	Wait      time.Duration `default:"30s" help:"How long to wait for the frontend to see new search attributes."`
	conn      `embed:""`
}

// attrType is the type of every search attribute in engine.SearchAttributes.
const attrType = enumspb.INDEXED_VALUE_TYPE_KEYWORD

// errDenied is a setup step the caller has no right to do; the commands
// that do it were printed: exit 3, as an environment not ready.
var errDenied = &unreachableError{msg: "not allowed to set the namespace up: run the commands above (or have an administrator run them), then `runbook setup` again"}

// Run registers the namespace when it is missing and adds the missing
// search attributes, saying what it did for each.
func (c *setupCmd) Run(e *env) error {
	retention, err := engine.ParseDuration(c.Retention)
	if err != nil || retention <= 0 {
		return usagef("--retention %q: want a positive duration such as 30d or 72h", c.Retention)
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	st := &setup{wf: s.client.WorkflowService(), op: s.client.OperatorService(), ns: c.Namespace,
		address: s.address, retention: retention, wait: c.Wait, out: e.stdout}
	return st.run(ctx)
}

// setup reconciles one namespace with what the engine needs.
type setup struct {
	wf        workflowservice.WorkflowServiceClient
	op        operatorservice.OperatorServiceClient
	ns        string
	address   string
	retention time.Duration
	wait      time.Duration
	out       io.Writer
}

// run does the namespace, then the search attributes, then waits until
// the frontend accepts a query on them.
func (s *setup) run(ctx context.Context) error {
	created, err := s.namespace(ctx)
	if err != nil {
		return err
	}
	added, err := s.attributes(ctx, created)
	if err != nil || !added {
		return err
	}
	return s.visible(ctx)
}

// namespace registers the namespace when DescribeNamespace does not find it.
func (s *setup) namespace(ctx context.Context) (created bool, err error) {
	_, err = s.wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.ns})
	var notFound *serviceerror.NamespaceNotFound
	if err == nil {
		fmt.Fprintf(s.out, "namespace %s: already there\n", s.ns)
		return false, nil
	}
	if !errors.As(err, &notFound) {
		return false, s.denied(err, true, engine.SearchAttributes)
	}
	_, err = s.wf.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        s.ns,
		Description:                      "runbook executions",
		WorkflowExecutionRetentionPeriod: durationpb.New(s.retention),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	switch {
	case errors.As(err, &exists): // another setup won the race
		fmt.Fprintf(s.out, "namespace %s: already there\n", s.ns)
		return false, nil
	case err != nil:
		return false, s.denied(err, true, engine.SearchAttributes)
	}
	fmt.Fprintf(s.out, "namespace %s: created (retention %s)\n", s.ns, engine.FormatDuration(s.retention))
	return true, nil
}

// attributes adds the search attributes the namespace lacks. A namespace
// just created may not be known to the operator service for a moment
// (its namespace cache): that is retried within s.wait.
func (s *setup) attributes(ctx context.Context, created bool) (added bool, err error) {
	var list *operatorservice.ListSearchAttributesResponse
	for deadline := time.Now().Add(s.wait); ; time.Sleep(200 * time.Millisecond) {
		list, err = s.op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.ns})
		var notFound *serviceerror.NamespaceNotFound
		if err == nil || !created || !errors.As(err, &notFound) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return false, s.denied(err, false, engine.SearchAttributes)
	}
	missing := map[string]enumspb.IndexedValueType{}
	var names []string
	for _, name := range engine.SearchAttributes {
		t, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = attrType
			names = append(names, name)
		case t != attrType:
			return false, fmt.Errorf("search attribute %s has type %s in namespace %s; the engine needs %s: it cannot be changed in place, so use another namespace",
				name, typeName(t), s.ns, typeName(attrType))
		default:
			fmt.Fprintf(s.out, "search attribute %s (%s): present\n", name, typeName(attrType))
		}
	}
	if len(missing) == 0 {
		return false, nil
	}
	_, err = s.op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{SearchAttributes: missing, Namespace: s.ns})
	if err != nil {
		return false, s.denied(err, false, names)
	}
	for _, name := range names {
		fmt.Fprintf(s.out, "search attribute %s (%s): added\n", name, typeName(attrType))
	}
	return true, nil
}

// visible waits until a list query on every attribute is accepted: new
// aliases reach the frontends with their namespace cache.
func (s *setup) visible(ctx context.Context) error {
	var conds []string
	for _, name := range engine.SearchAttributes {
		conds = append(conds, name+" = 'runbook-setup'")
	}
	q := strings.Join(conds, " AND ")
	var err error
	for deadline := time.Now().Add(s.wait); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if _, err = s.wf.ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: s.ns, Query: q, PageSize: 1}); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the search attributes were added, but after %v the frontend at %s still refuses a query on them: %w", s.wait, s.address, err)
}

// denied turns a refusal (the caller may not do it: Temporal Cloud, or an
// authorizer) into the commands that do it, printed, and errDenied; other
// errors pass through unreachable.
func (s *setup) denied(err error, namespace bool, attrs []string) error {
	var perm *serviceerror.PermissionDenied
	var unimpl *serviceerror.Unimplemented
	if !errors.As(err, &perm) && !errors.As(err, &unimpl) {
		return unreachable(err)
	}
	fmt.Fprintf(s.out, "not allowed here (%v); run instead:\n", err)
	if namespace {
		fmt.Fprintf(s.out, "  temporal operator namespace create --address %s --namespace %s --retention %s\n",
			s.address, s.ns, hours(s.retention))
		fmt.Fprintf(s.out, "  (Temporal Cloud: create the namespace in the Cloud UI or with `tcld namespace create`)\n")
	}
	var tcld, cli strings.Builder
	for _, a := range attrs {
		fmt.Fprintf(&tcld, " --search-attribute %s=%s", a, typeName(attrType))
		fmt.Fprintf(&cli, " --name %s --type %s", a, typeName(attrType))
	}
	fmt.Fprintf(s.out, "  temporal operator search-attribute create --address %s --namespace %s%s\n", s.address, s.ns, cli.String())
	fmt.Fprintf(s.out, "  tcld namespace search-attributes add --namespace %s%s\n", s.ns, tcld.String())
	return errDenied
}

// typeName is the name the Temporal CLI and tcld give an attribute type
// ("Keyword").
func typeName(t enumspb.IndexedValueType) string { return t.String() }

// hours writes d for the Temporal CLI: "720h" for whole hours.
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}
