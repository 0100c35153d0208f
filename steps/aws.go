package steps

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/appsync"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/directoryservice"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/mwaa"
	"github.com/aws/aws-sdk-go-v2/service/neptune"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/waf"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	"github.com/aws/aws-sdk-go-v2/service/workspaces"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/runbook-dev/runbook/engine"
)

// awsServices lists the services runbooks may call, one line each: the SDK
// package name and the client's constructor (which also gives the client's
// type). Operations are found by reflection over the client's methods.
func awsServices() []*awsService {
	return []*awsService{
		sdkService("accessanalyzer", accessanalyzer.NewFromConfig),
		sdkService("apigatewayv2", apigatewayv2.NewFromConfig),
		sdkService("applicationautoscaling", applicationautoscaling.NewFromConfig),
		sdkService("appsync", appsync.NewFromConfig),
		sdkService("athena", athena.NewFromConfig),
		sdkService("autoscaling", autoscaling.NewFromConfig),
		sdkService("backup", backup.NewFromConfig),
		sdkService("cloudformation", cloudformation.NewFromConfig),
		sdkService("cloudtrail", cloudtrail.NewFromConfig),
		sdkService("cloudwatch", cloudwatch.NewFromConfig),
		sdkService("cloudwatchlogs", cloudwatchlogs.NewFromConfig),
		sdkService("codebuild", codebuild.NewFromConfig),
		sdkService("codedeploy", codedeploy.NewFromConfig),
		sdkService("configservice", configservice.NewFromConfig),
		sdkService("connect", connect.NewFromConfig),
		sdkService("directoryservice", directoryservice.NewFromConfig),
		sdkService("docdb", docdb.NewFromConfig),
		sdkService("dynamodb", dynamodb.NewFromConfig),
		sdkService("ec2", ec2.NewFromConfig),
		sdkService("ecs", ecs.NewFromConfig),
		sdkService("efs", efs.NewFromConfig),
		sdkService("eks", eks.NewFromConfig),
		sdkService("elasticache", elasticache.NewFromConfig),
		sdkService("elasticbeanstalk", elasticbeanstalk.NewFromConfig),
		sdkService("elasticloadbalancing", elasticloadbalancing.NewFromConfig),
		sdkService("elasticloadbalancingv2", elasticloadbalancingv2.NewFromConfig),
		sdkService("emr", emr.NewFromConfig),
		sdkService("eventbridge", eventbridge.NewFromConfig),
		sdkService("firehose", firehose.NewFromConfig),
		sdkService("fsx", fsx.NewFromConfig),
		sdkService("glue", glue.NewFromConfig),
		sdkService("guardduty", guardduty.NewFromConfig),
		sdkService("iam", iam.NewFromConfig),
		sdkService("identitystore", identitystore.NewFromConfig),
		sdkService("inspector2", inspector2.NewFromConfig),
		sdkService("kafka", kafka.NewFromConfig),
		sdkService("kinesis", kinesis.NewFromConfig),
		sdkService("kms", kms.NewFromConfig),
		sdkService("lambda", lambda.NewFromConfig),
		sdkService("mwaa", mwaa.NewFromConfig),
		sdkService("neptune", neptune.NewFromConfig),
		sdkService("ram", ram.NewFromConfig),
		sdkService("rds", rds.NewFromConfig),
		sdkService("redshift", redshift.NewFromConfig),
		sdkService("route53", route53.NewFromConfig),
		sdkService("s3", s3.NewFromConfig),
		sdkService("s3control", s3control.NewFromConfig),
		sdkService("sagemaker", sagemaker.NewFromConfig),
		sdkService("secretsmanager", secretsmanager.NewFromConfig),
		sdkService("securityhub", securityhub.NewFromConfig),
		sdkService("sesv2", sesv2.NewFromConfig),
		sdkService("sfn", sfn.NewFromConfig),
		sdkService("sns", sns.NewFromConfig),
		sdkService("sqs", sqs.NewFromConfig),
		sdkService("ssm", ssm.NewFromConfig),
		sdkService("ssoadmin", ssoadmin.NewFromConfig),
		sdkService("sts", sts.NewFromConfig),
		sdkService("waf", waf.NewFromConfig),
		sdkService("wafregional", wafregional.NewFromConfig),
		sdkService("workspaces", workspaces.NewFromConfig),
		sdkService("xray", xray.NewFromConfig),
	}
}

// Registry is the set of AWS services and operations runbooks may call,
// derived from aws-sdk-go-v2 clients by reflection. It implements
// engine.Services. Each service's operations are listed the first time the
// service is used, each operation built the first time it is named.
type Registry struct {
	services map[string]*awsService
	names    []string
}

var (
	awsOnce     sync.Once
	awsRegistry *Registry
)

// AWS returns the registry of AWS services, built on first use (so that
// starting the process stays cheap).
func AWS() *Registry {
	awsOnce.Do(func() { awsRegistry = newRegistry() })
	return awsRegistry
}

func newRegistry() *Registry {
	r := &Registry{services: map[string]*awsService{}}
	for _, s := range awsServices() {
		r.services[s.name] = s
		r.names = append(r.names, s.name)
	}
	sort.Strings(r.names)
	engine.SetUnionSource(r.outputsOf)
	return r
}

// outputsOf lists the output types of the service whose types package is
// pkgPath (see engine.SetUnionSource).
func (r *Registry) outputsOf(pkgPath string) []reflect.Type {
	var out []reflect.Type
	for _, s := range r.services {
		if s.client.Elem().PkgPath()+"/types" != pkgPath {
			continue
		}
		for _, m := range s.load().methods {
			out = append(out, m.Type.Out(0).Elem())
		}
	}
	return out
}

// Services lists the services' names (the SDK package names), sorted.
func (r *Registry) Services() []string { return append([]string(nil), r.names...) }

// Operations lists a service's operations, sorted; nil for an unknown
// service.
func (r *Registry) Operations(service string) []string {
	s := r.services[service]
	if s == nil {
		return nil
	}
	return append([]string(nil), s.load().names...)
}

// Operation returns the operation named id ("rds:DescribeDBClusters"), or
// an error saying what is wrong with the name and, when it can, what was
// meant.
func (r *Registry) Operation(id string) (*engine.Operation, error) {
	name, op, ok := strings.Cut(id, ":")
	if !ok || name == "" || op == "" || strings.ContainsAny(id, " \t\n") || strings.Contains(op, ":") {
		return nil, fmt.Errorf("malformed AWS operation %q: the form is service:Operation, as in rds:DescribeDBClusters", id)
	}
	s := r.services[name]
	if s == nil {
		hint := engine.DidYouMean(name, r.names)
		if hint == "" {
			hint = "services are " + strings.Join(r.names, ", ")
		}
		return nil, fmt.Errorf("unknown AWS service %q; %s", name, hint)
	}
	return s.operation(op)
}

var _ engine.Services = (*Registry)(nil)

// awsService is one SDK client type and what the registry learned of it.
type awsService struct {
	name    string
	client  reflect.Type // *rds.Client
	options reflect.Type // *rds.Options
	newFn   func(aws.Config) any

	once    sync.Once
	methods map[string]reflect.Method
	names   []string
	ops     sync.Map // name -> *engine.Operation

	probeOnce   sync.Once
	probeClient reflect.Value // a client that sends nothing (see Missing)
}

// sdkService describes the client that newFn builds.
func sdkService[C any, O any](name string, newFn func(aws.Config, ...func(*O)) C) *awsService {
	return &awsService{
		name:    name,
		client:  reflect.TypeFor[C](),
		options: reflect.TypeFor[*O](),
		newFn:   func(cfg aws.Config) any { return newFn(cfg) },
	}
}

var (
	awsContextType = reflect.TypeFor[context.Context]()
	awsErrorType   = reflect.TypeFor[error]()
)

// load finds the client's operations: the methods shaped
// (context.Context, *XInput, ...func(*Options)) (*XOutput, error).
func (s *awsService) load() *awsService {
	s.once.Do(func() {
		s.methods = map[string]reflect.Method{}
		optFns := reflect.SliceOf(reflect.FuncOf([]reflect.Type{s.options}, nil, false))
		for i := range s.client.NumMethod() {
			m := s.client.Method(i)
			t := m.Type // the receiver is In(0)
			if t.NumIn() != 4 || !t.IsVariadic() || t.NumOut() != 2 ||
				t.In(1) != awsContextType || !awsIsStructPointer(t.In(2)) || t.In(3) != optFns ||
				!awsIsStructPointer(t.Out(0)) || t.Out(1) != awsErrorType {
				continue
			}
			s.methods[m.Name] = m
			s.names = append(s.names, m.Name)
		}
		sort.Strings(s.names)
	})
	return s
}

func awsIsStructPointer(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
}

func (s *awsService) operation(name string) (*engine.Operation, error) {
	if op, ok := s.ops.Load(name); ok {
		return op.(*engine.Operation), nil
	}
	m, ok := s.load().methods[name]
	if !ok {
		hint := engine.DidYouMean(name, s.names)
		if hint == "" {
			hint = fmt.Sprintf("%s has %d operations, named as the methods of the aws-sdk-go-v2 %s client", s.name, len(s.names), s.name)
		}
		return nil, fmt.Errorf("unknown %s operation %q; %s", s.name, name, hint)
	}
	op := &engine.Operation{
		Service:  s.name,
		Name:     name,
		Input:    m.Type.In(2).Elem(),
		Output:   m.Type.Out(0).Elem(),
		ReadOnly: awsReadOnly(name),
		Missing:  func(in any) []string { return awsRequiredMissing(s.probe(m, in)) },
	}
	// Walking the output notes the SDK types that can build the unions and
	// documents its input may hold (see engine.FromData).
	engine.ShapeOf(op.Output)
	v, _ := s.ops.LoadOrStore(name, op)
	return v.(*engine.Operation), nil
}

// awsReadOnlyVerbs are the verbs of operations that only read: an operation
// is read-only when its name is one of them followed by an upper-case
// letter or nothing (DescribeDBClusters, Query, GetItem, ListTables, BatchGetItem,
// HeadObject, FilterLogEvents, TestDNSAnswer, ValidateTemplate,
// SimulatePrincipalPolicy, DownloadDBLogFilePortion). Everything else
// (Create, Delete, Modify, Put, Start, Stop, Send, Receive, Invoke,
// Execute, Assume, ...) is taken to change something, so it is retried
// only with an idempotency token.
var awsReadOnlyVerbs = []string{
	"Describe", "Get", "List", "Head", "Lookup", "Search", "Query", "Scan", "Select",
	"BatchGet", "BatchDescribe", "Filter", "Check", "Test", "Estimate", "Validate",
	"Simulate", "Download",
}

func awsReadOnly(name string) bool {
	for _, v := range awsReadOnlyVerbs {
		if rest, ok := strings.CutPrefix(name, v); ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z') {
			return true
		}
	}
	return false
}
