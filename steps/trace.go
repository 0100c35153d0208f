package steps

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/smithy-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracer makes the spans of AWS calls, children of the activity's span
// when the worker traces (the global tracer provider; a no-op otherwise).
var tracer = otel.Tracer("github.com/runbook-dev/runbook/steps")

// awsSpan starts the span of one AWS call, named for its operation
// (service:Operation), and returns the context to call with and what ends
// the span with the call's error.
func awsSpan(ctx context.Context, op string) (context.Context, func(error)) {
	service, method, _ := strings.Cut(op, ":")
	ctx, span := tracer.Start(ctx, op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", service),
		attribute.String("rpc.method", method),
	))
	return ctx, func(err error) {
		if err != nil {
			code := "error"
			var ae smithy.APIError
			if errors.As(err, &ae) {
				code = ae.ErrorCode()
			}
			span.SetStatus(codes.Error, code)
		}
		span.End()
	}
}
