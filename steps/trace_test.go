package steps

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestAWSSpanHidesMessages: an AWS call's span says its operation and,
// when it fails, the AWS error code, never the error's message, which
// may quote what the call sent (a secret among it).
func TestAWSSpanHidesMessages(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	for _, err := range []error{
		&smithy.GenericAPIError{Code: "ValidationException", Message: "value hunter2-secret at 'secretString' failed"},
		errors.New("dial tcp: hunter2-secret"),
		nil,
	} {
		_, end := awsSpan(context.Background(), "secretsmanager:PutSecretValue")
		end(err)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	for i, want := range []struct {
		code codes.Code
		desc string
	}{{codes.Error, "ValidationException"}, {codes.Error, "error"}, {codes.Unset, ""}} {
		s := spans[i]
		if s.Name() != "secretsmanager:PutSecretValue" || s.Status().Code != want.code || s.Status().Description != want.desc {
			t.Errorf("span %d: %s %v %q, want %v %q", i, s.Name(), s.Status().Code, s.Status().Description, want.code, want.desc)
		}
		for _, ev := range s.Events() {
			for _, a := range ev.Attributes {
				if strings.Contains(a.Value.String(), "hunter2") {
					t.Errorf("span %d event %s carries the message: %s", i, ev.Name, a.Value.String())
				}
			}
		}
	}
}
