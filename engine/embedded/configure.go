package embedded

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine"
	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// configureTimeout bounds the calls that configure the namespace at start.
const configureTimeout = 30 * time.Second

// configure connects to the frontend, which proves it serves, and reconciles the
// namespace: registered if absent, retention updated if it differs, missing search
// attributes added. On a fresh database createNamespace did all of it already and
// this only reads.
func (s *Server) configure(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, configureTimeout)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  s.addr,
		Namespace: s.cfg.Namespace,
		Logger:    sdkLogger(s.cfg.Logger),
	})
	if err != nil {
		return fmt.Errorf("connect to embedded server at %s: %w", s.addr, err)
	}
	defer c.Close()
	if err := ensureNamespace(ctx, c.WorkflowService(), s.cfg.Namespace, s.cfg.Retention); err != nil {
		return fmt.Errorf("namespace %s: %w", s.cfg.Namespace, err)
	}
	if err := ensureSearchAttributes(ctx, c.OperatorService(), s.cfg.Namespace); err != nil {
		return fmt.Errorf("namespace %s: search attributes: %w", s.cfg.Namespace, err)
	}
	return nil
}

func ensureNamespace(ctx context.Context, wf workflowservice.WorkflowServiceClient, ns string, retention time.Duration) error {
	desc, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		_, err = wf.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        ns,
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		return err
	}
	if err != nil {
		return err
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
		return nil
	}
	_, err = wf.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: ns,
		Config: &namespacepb.NamespaceConfig{
			WorkflowExecutionRetentionTtl: durationpb.New(retention),
		},
	})
	return err
}

func ensureSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, ns string) error {
	list, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return err
	}
	const keyword = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range engine.SearchAttributes {
		t, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = keyword
		case t != keyword:
			return fmt.Errorf("%s has type %v, want %v", name, t, keyword)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		SearchAttributes: missing,
		Namespace:        ns,
	})
	return err
}
