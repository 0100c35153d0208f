package steps

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/runbook-dev/runbook/engine"
)

func TestRegistryOperation(t *testing.T) {
	tests := []struct {
		id       string
		err      string // empty: the operation resolves
		input    string
		readOnly bool
	}{
		{id: "rds:DescribeDBClusters", input: "DescribeDBClustersInput", readOnly: true},
		{id: "rds:FailoverDBCluster", input: "FailoverDBClusterInput"},
		{id: "ec2:StopInstances", input: "StopInstancesInput"},
		{id: "dynamodb:Query", input: "QueryInput", readOnly: true},
		{id: "dynamodb:BatchGetItem", input: "BatchGetItemInput", readOnly: true},
		{id: "dynamodb:BatchWriteItem", input: "BatchWriteItemInput"},
		{id: "cloudwatchlogs:FilterLogEvents", input: "FilterLogEventsInput", readOnly: true},
		{id: "s3:HeadObject", input: "HeadObjectInput", readOnly: true},
		{id: "sqs:ReceiveMessage", input: "ReceiveMessageInput"},
		{id: "sts:GetCallerIdentity", input: "GetCallerIdentityInput", readOnly: true},
		{id: "elasticloadbalancingv2:DescribeTargetHealth", input: "DescribeTargetHealthInput", readOnly: true},
		{id: "rds:DescribeDBCluster", err: `unknown rds operation "DescribeDBCluster"; did you mean "DescribeDBClusters"?`},
		{id: "rdz:X", err: `unknown AWS service "rdz"; did you mean "rds"?`},
		{id: "RDS:DescribeDBClusters", err: `unknown AWS service "RDS"; did you mean "rds"?`},
		{id: "nothing:X", err: `unknown AWS service "nothing"; services are accessanalyzer, apigatewayv2,`},
		{id: "rds:Options", err: `unknown rds operation "Options"`},
		{id: "rds", err: `malformed AWS operation "rds": the form is service:Operation, as in rds:DescribeDBClusters`},
		{id: "rds:", err: "the form is service:Operation"},
		{id: ":X", err: "the form is service:Operation"},
		{id: "rds:Describe DBClusters", err: "the form is service:Operation"},
	}
	r := AWS()
	for _, tt := range tests {
		op, err := r.Operation(tt.id)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.id, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.id, err)
			continue
		}
		if op.ID() != tt.id || op.Input.Name() != tt.input || op.Output.Kind() != reflect.Struct || op.ReadOnly != tt.readOnly || op.Missing == nil {
			t.Errorf("%s: got %s input %s output %s readOnly %v", tt.id, op.ID(), op.Input, op.Output, op.ReadOnly)
		}
		if again, _ := r.Operation(tt.id); again != op {
			t.Errorf("%s: not cached", tt.id)
		}
	}
}

func TestRegistryListing(t *testing.T) {
	r := AWS()
	if got := len(r.Services()); got != 61 {
		t.Errorf("%d services: %v", got, r.Services())
	}
	for _, s := range r.Services() {
		ops := r.Operations(s)
		if len(ops) < 5 {
			t.Errorf("%s: only %d operations", s, len(ops))
		}
		for _, op := range ops {
			if strings.HasSuffix(op, "Input") || op == "Options" {
				t.Errorf("%s: %s is no operation", s, op)
			}
		}
	}
	if ops := r.Operations("rds"); !slices.Contains(ops, "DescribeDBClusters") || !slices.Contains(ops, "FailoverDBCluster") {
		t.Errorf("rds operations lack DescribeDBClusters or FailoverDBCluster")
	}
	if r.Operations("nope") != nil {
		t.Errorf("operations of an unknown service")
	}
}

func TestRegistryMissing(t *testing.T) {
	tests := []struct {
		id   string
		in   any
		want []string
	}{
		{"ec2:StopInstances", nil, []string{"InstanceIds"}},
		{"ec2:StopInstances", &ec2.StopInstancesInput{}, []string{"InstanceIds"}},
		{"ec2:StopInstances", ec2.StopInstancesInput{InstanceIds: []string{"i-1"}}, nil},
		{"dynamodb:PutItem", nil, []string{"Item", "TableName"}},
		{"sqs:SendMessage", nil, []string{"MessageBody", "QueueUrl"}},
		{"rds:DescribeDBClusters", nil, nil},
		{"rds:DescribeDBClusters", map[string]any{"Filters": []any{map[string]any{}}}, []string{"Filters[0].Name", "Filters[0].Values"}},
		{"rds:FailoverDBCluster", nil, []string{"DBClusterIdentifier"}},
		{"s3:GetObject", nil, []string{"Bucket", "Key"}},
		{"lambda:Invoke", nil, []string{"FunctionName"}},
	}
	for _, tt := range tests {
		op, err := AWS().Operation(tt.id)
		if err != nil {
			t.Fatal(err)
		}
		in := tt.in
		if m, ok := in.(map[string]any); ok {
			v, err := engine.FromData(m, reflect.PointerTo(op.Input))
			if err != nil {
				t.Fatal(err)
			}
			in = v.Interface()
		}
		if got := op.Missing(in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %+v: missing %q, want %q", tt.id, tt.in, got, tt.want)
		}
	}
}

// TestRegistryProbeSendsNothing checks that a valid input gets as far as
// the transport, which answers with the sentinel: nothing reaches the
// network. Inputs built from data (a dynamodb union) serialize.
func TestRegistryProbeSendsNothing(t *testing.T) {
	r := newRegistry()
	item, err := engine.FromData(map[string]any{
		"TableName": "t",
		"Item":      map[string]any{"id": map[string]any{"S": "1"}, "n": map[string]any{"N": "2"}, "l": map[string]any{"L": []any{map[string]any{"BOOL": true}}}},
	}, reflect.TypeFor[*dynamodb.PutItemInput]())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id string
		in any
	}{
		{"rds:DescribeDBClusters", &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("x")}},
		{"ec2:StopInstances", &ec2.StopInstancesInput{InstanceIds: []string{"i-1"}}},
		{"dynamodb:PutItem", item.Interface()},
		{"s3:ListBuckets", nil},
		{"sts:GetCallerIdentity", nil},
	}
	for _, tt := range tests {
		svc, name, _ := strings.Cut(tt.id, ":")
		s := r.services[svc]
		err := s.probe(s.load().methods[name], tt.in)
		if !errors.Is(err, errAWSNotSent) {
			t.Errorf("%s: err = %v, want the probe's sentinel", tt.id, err)
		}
	}
}

func TestRegistryReadOnly(t *testing.T) {
	for name, want := range map[string]bool{
		"DescribeInstances": true, "GetItem": true, "ListTables": true, "Query": true, "Scan": true,
		"BatchGetItem": true, "HeadBucket": true, "TestDNSAnswer": true, "ValidateTemplate": true,
		"Describe": true, "Getaway": false, "StopInstances": false, "PutItem": false,
		"BatchWriteItem": false, "ReceiveMessage": false, "Invoke": false, "ExecuteStatement": false,
	} {
		if got := awsReadOnly(name); got != want {
			t.Errorf("readOnly(%s) = %v", name, got)
		}
	}
}

func BenchmarkRegistryOperation(b *testing.B) {
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			if _, err := newRegistry().Operation("rds:DescribeDBClusters"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		r := AWS()
		for b.Loop() {
			if _, err := r.Operation("rds:DescribeDBClusters"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestRegistryConcurrent(t *testing.T) {
	r := newRegistry()
	ids := []string{"rds:DescribeDBClusters", "ec2:StopInstances", "dynamodb:PutItem", "sqs:SendMessage"}
	var wg sync.WaitGroup
	ops := make([]*engine.Operation, 4*len(ids))
	for i := range ops {
		wg.Go(func() {
			op, err := r.Operation(ids[i%len(ids)])
			if err != nil {
				t.Error(err)
				return
			}
			op.Missing(nil)
			ops[i] = op
		})
	}
	wg.Wait()
	for i := range ops {
		if ops[i] != ops[i%len(ids)] {
			t.Errorf("%s: two operations", ids[i%len(ids)])
		}
	}
}

// TestRegistryMissingAll runs the validation probe on an empty input of
// every operation: none may panic, hang or reach the network.
func TestRegistryMissingAll(t *testing.T) {
	if testing.Short() {
		t.Skip("probes every operation")
	}
	r := newRegistry()
	for _, name := range r.Services() {
		s := r.services[name]
		for _, op := range r.Operations(name) {
			err := s.probe(s.load().methods[op], nil)
			if err != nil && !errors.Is(err, errAWSNotSent) && awsRequiredMissing(err) == nil {
				var invalid smithy.InvalidParamsError
				if !errors.As(err, &invalid) {
					t.Errorf("%s:%s: %v", name, op, err)
				}
			}
		}
	}
}
