package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"
)

// setupLines is what setup prints for every attribute in one state.
func setupLines(state string) string {
	var b strings.Builder
	for _, a := range []string{"RunbookName", "RunbookVersion", "RunbookKind", "RunbookTrigger", "AlarmName"} {
		b.WriteString("search attribute " + a + " (Keyword): " + state + "\n")
	}
	return b.String()
}

// TestSetup runs the binary against `runbook server` with a namespace
// that lacks the engine's search attributes and one that does not exist:
// every command that meets them exits 3 naming `runbook setup`, and setup
// repairs both, idempotently.
func TestSetup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	env := e2eEnv(t)
	addr := e2eServerIn(t, env, t.TempDir(), "--no-worker")
	cl, err := client.Dial(client.Options{HostPort: addr, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cl.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: "bare", WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"demo.yaml": valid})
	const missingNS = "namespace nope does not exist: run `runbook setup --namespace nope`"
	const missingAttr = "the namespace lacks the search attribute Runbook"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact, when not empty
		stderr string // contained
	}{
		{"start, no namespace", []string{"start", "demo.yaml", "--namespace", "nope"}, 3, "", missingNS},
		{"list, no namespace", []string{"list", "--namespace", "nope"}, 3, "", missingNS},
		{"status, no namespace", []string{"status", "x", "--namespace", "nope"}, 3, "", missingNS},
		{"worker, no namespace", []string{"worker", "--namespace", "nope", "--insecure-generated-key"}, 3, "", missingNS},
		{"start, no attributes", []string{"start", "demo.yaml", "--namespace", "bare"}, 3, "", missingAttr},
		{"list by name, no attributes", []string{"list", "--name", "demo", "--namespace", "bare"}, 3, "", missingAttr},
		{"setup, bad retention", []string{"setup", "--namespace", "bare", "--retention", "soon"}, 2, "", "--retention"},
		{"setup adds the attributes", []string{"setup", "--namespace", "bare"}, 0, "namespace bare: already there\n" + setupLines("added"), ""},
		{"setup again", []string{"setup", "--namespace", "bare"}, 0, "namespace bare: already there\n" + setupLines("present"), ""},
		{"start after setup", []string{"start", "demo.yaml", "--namespace", "bare"}, 0, "", ""},
		{"list after setup", []string{"list", "--name", "demo", "--namespace", "bare"}, 0, "", ""},
		{"setup creates", []string{"setup", "--namespace", "nope", "--retention", "2d"}, 0, "namespace nope: created (retention 2d)\n" + setupLines("added"), ""},
		{"start in the created namespace", []string{"start", "demo.yaml", "--namespace", "nope"}, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e2eRun(t, dir, env, append(tt.args, "--address", addr, "--state-dir", dir)...)
			if r.code != tt.code || tt.stdout != "" && r.stdout != tt.stdout || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("runbook %s: %s\nwant exit %d, stdout %q, stderr containing %q", strings.Join(tt.args, " "), r, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// fakeTemporal answers setup's calls: a namespace that exists or not,
// the attributes it has, and refusals.
type fakeTemporal struct {
	workflowservice.WorkflowServiceClient
	operatorservice.OperatorServiceClient
	exists   bool
	attrs    map[string]enumspb.IndexedValueType
	register error // RegisterNamespace's answer
	add      error // AddSearchAttributes's answer
}

func (f *fakeTemporal) DescribeNamespace(context.Context, *workflowservice.DescribeNamespaceRequest, ...grpc.CallOption) (*workflowservice.DescribeNamespaceResponse, error) {
	if !f.exists {
		return nil, serviceerror.NewNamespaceNotFound("prod")
	}
	return &workflowservice.DescribeNamespaceResponse{}, nil
}

func (f *fakeTemporal) RegisterNamespace(context.Context, *workflowservice.RegisterNamespaceRequest, ...grpc.CallOption) (*workflowservice.RegisterNamespaceResponse, error) {
	return &workflowservice.RegisterNamespaceResponse{}, f.register
}

func (f *fakeTemporal) ListSearchAttributes(context.Context, *operatorservice.ListSearchAttributesRequest, ...grpc.CallOption) (*operatorservice.ListSearchAttributesResponse, error) {
	return &operatorservice.ListSearchAttributesResponse{CustomAttributes: f.attrs}, nil
}

func (f *fakeTemporal) AddSearchAttributes(context.Context, *operatorservice.AddSearchAttributesRequest, ...grpc.CallOption) (*operatorservice.AddSearchAttributesResponse, error) {
	return &operatorservice.AddSearchAttributesResponse{}, f.add
}

// TestSetupRefused checks what setup prints and returns where the caller
// may not register a namespace or add attributes (Temporal Cloud, an
// authorizer): the commands that do it, and exit 3.
func TestSetupRefused(t *testing.T) {
	kw := enumspb.INDEXED_VALUE_TYPE_KEYWORD
	tests := []struct {
		name string
		f    *fakeTemporal
		code int
		want []string // lines of the output, in order
	}{
		{"namespace refused", &fakeTemporal{register: serviceerror.NewPermissionDenied("no", "")}, 3, []string{
			"not allowed here (no); run instead:",
			"  temporal operator namespace create --address cluster:7233 --namespace prod --retention 720h",
			"  (Temporal Cloud: create the namespace in the Cloud UI or with `tcld namespace create`)",
			"  temporal operator search-attribute create --address cluster:7233 --namespace prod --name RunbookName --type Keyword --name RunbookVersion --type Keyword --name RunbookKind --type Keyword --name RunbookTrigger --type Keyword --name AlarmName --type Keyword",
			"  tcld namespace search-attributes add --namespace prod --search-attribute RunbookName=Keyword --search-attribute RunbookVersion=Keyword --search-attribute RunbookKind=Keyword --search-attribute RunbookTrigger=Keyword --search-attribute AlarmName=Keyword"}},
		{"attributes unimplemented (Cloud)", &fakeTemporal{exists: true, attrs: map[string]enumspb.IndexedValueType{"RunbookName": kw, "RunbookVersion": kw},
			add: serviceerror.NewUnimplemented("use tcld")}, 3, []string{
			"namespace prod: already there",
			"search attribute RunbookName (Keyword): present",
			"search attribute RunbookVersion (Keyword): present",
			"not allowed here (use tcld); run instead:",
			"  temporal operator search-attribute create --address cluster:7233 --namespace prod --name RunbookKind --type Keyword --name RunbookTrigger --type Keyword --name AlarmName --type Keyword",
			"  tcld namespace search-attributes add --namespace prod --search-attribute RunbookKind=Keyword --search-attribute RunbookTrigger=Keyword --search-attribute AlarmName=Keyword"}},
		{"attribute of another type", &fakeTemporal{exists: true, attrs: map[string]enumspb.IndexedValueType{"RunbookName": enumspb.INDEXED_VALUE_TYPE_TEXT}}, 1, []string{
			"namespace prod: already there"}},
		{"other error", &fakeTemporal{register: serviceerror.NewInternal("boom")}, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr strings.Builder
			s := &setup{wf: tt.f, op: tt.f, ns: "prod", address: "cluster:7233", retention: 30 * 24 * time.Hour, wait: time.Second, out: &out}
			err := s.run(context.Background())
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if out.Len() == 0 {
				got = nil
			}
			if code := exitCode(err, &stderr); code != tt.code || !slices.Equal(got, tt.want) {
				t.Errorf("exit %d (%v), output:\n%s\nwant exit %d, output:\n%s", code, err, out.String(), tt.code, strings.Join(tt.want, "\n"))
			}
		})
	}
}
