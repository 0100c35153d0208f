package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Tracing is on when the standard OpenTelemetry variables name an OTLP
// endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
// and off otherwise, at no cost. The exporter speaks OTLP over HTTP
// (protobuf), or gRPC when OTEL_EXPORTER_OTLP_PROTOCOL (or ..._TRACES_PROTOCOL)
// says grpc; the other OTEL_* variables (headers, service name, sampler,
// batch delays) are read by the OpenTelemetry SDK itself.

// tracingOn reports whether an OTLP endpoint is configured.
func tracingOn() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// startTracing installs the global tracer provider and propagator when
// tracing is on, and returns what flushes and stops it (a no-op when off).
// service names the process (runbook-worker, runbook-serve, ...) unless
// OTEL_SERVICE_NAME does.
func startTracing(ctx context.Context, service string, stderr io.Writer) func() {
	if !tracingOn() {
		return func() {}
	}
	exp, err := traceExporter(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "runbook: warning: tracing off: %v\n", err)
		return func() {}
	}
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName(service)), resource.WithFromEnv(), resource.WithHost(), resource.WithProcessPID())
	if err != nil {
		fmt.Fprintf(stderr, "runbook: warning: tracing resource: %v\n", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			fmt.Fprintf(stderr, "runbook: warning: flushing traces: %v\n", err)
		}
	}
}

// traceExporter is the OTLP exporter the environment asks for.
func traceExporter(ctx context.Context) (*otlptrace.Exporter, error) {
	proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch proto {
	case "", "http/protobuf":
		return otlptracehttp.New(ctx)
	case "grpc":
		return otlptracegrpc.New(ctx)
	}
	return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s: want http/protobuf or grpc", proto)
}

// tracingInterceptors are the Temporal client's (and its workers')
// interceptors: spans for starts, workflows, activities, signals,
// queries and updates, linked across processes through headers.
func tracingInterceptors() []interceptor.ClientInterceptor {
	if !tracingOn() {
		return nil
	}
	ti, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{})
	if err != nil {
		return nil
	}
	return []interceptor.ClientInterceptor{ti}
}
