package engine

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ecsdocument "github.com/aws/aws-sdk-go-v2/service/ecs/document"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

var dataLaunch = time.Date(2024, 3, 1, 12, 30, 45, 0, time.UTC)

func dataInstances() *ec2.DescribeInstancesOutput {
	return &ec2.DescribeInstancesOutput{
		Reservations: []ec2types.Reservation{{
			ReservationId: aws.String("r-1"),
			Instances: []ec2types.Instance{{
				InstanceId:   aws.String("i-1"),
				InstanceType: ec2types.InstanceTypeT3Micro,
				LaunchTime:   aws.Time(dataLaunch),
				State:        &ec2types.InstanceState{Code: aws.Int32(80), Name: ec2types.InstanceStateNameStopped},
				EbsOptimized: aws.Bool(true),
				Tags:         []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
			}},
		}},
	}
}

func TestToData(t *testing.T) {
	got := ToData(dataInstances()).(map[string]any)
	inst := got["Reservations"].([]any)[0].(map[string]any)["Instances"].([]any)[0].(map[string]any)
	tests := []struct {
		key  string
		want any
	}{
		{"InstanceId", "i-1"},
		{"InstanceType", "t3.micro"},
		{"LaunchTime", "2024-03-01T12:30:45Z"},
		{"State", map[string]any{"Code": 80, "Name": "stopped"}},
		{"EbsOptimized", true},
		{"Tags", []any{map[string]any{"Key": "env", "Value": "prod"}}},
		{"KernelId", nil},
		{"BlockDeviceMappings", nil},
	}
	for _, tt := range tests {
		v, ok := inst[tt.key]
		if !ok || !reflect.DeepEqual(v, tt.want) {
			t.Errorf("%s = %#v (present %v), want %#v", tt.key, v, ok, tt.want)
		}
	}
	if _, ok := got["ResultMetadata"]; ok {
		t.Errorf("ResultMetadata in data")
	}
	if v, ok := got["NextToken"]; !ok || v != nil {
		t.Errorf("NextToken = %v, %v; want a nil entry", v, ok)
	}
	// Data survives a JSON round trip (the history) with ints as ints once
	// decoded by the engine's rules.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Code":80`) {
		t.Errorf("json: %s", b)
	}
	plain := []struct {
		in   any
		want any
	}{
		{nil, nil},
		{int8(3), 3},
		{uint16(3), 3},
		{float32(0.5), 0.5},
		{[]byte("hi"), "aGk="},
		{time.Date(2024, 1, 2, 3, 4, 5, 999, time.FixedZone("x", 3600)), "2024-01-02T02:04:05Z"},
		{map[string]*int{"a": nil}, map[string]any{"a": nil}},
		{rdstypes.DBClusterMember{IsClusterWriter: aws.Bool(true)}, map[string]any{
			"DBClusterParameterGroupStatus": nil, "DBInstanceIdentifier": nil, "IsClusterWriter": true, "PromotionTier": nil}},
	}
	for _, tt := range plain {
		if got := ToData(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ToData(%#v) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestToDataUnionsAndDocuments(t *testing.T) {
	out := &dynamodb.GetItemOutput{Item: map[string]ddbtypes.AttributeValue{
		"id":   &ddbtypes.AttributeValueMemberS{Value: "x"},
		"n":    &ddbtypes.AttributeValueMemberN{Value: "1.5"},
		"b":    &ddbtypes.AttributeValueMemberB{Value: []byte("hi")},
		"list": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberBOOL{Value: true}}},
		"map":  &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberNULL{Value: true}}},
	}}
	want := map[string]any{
		"id":   map[string]any{"S": "x"},
		"n":    map[string]any{"N": "1.5"},
		"b":    map[string]any{"B": "aGk="},
		"list": map[string]any{"L": []any{map[string]any{"BOOL": true}}},
		"map":  map[string]any{"M": map[string]any{"k": map[string]any{"NULL": true}}},
	}
	if got := ToData(out).(map[string]any)["Item"]; !reflect.DeepEqual(got, want) {
		t.Errorf("Item = %#v", got)
	}
	hook := ecstypes.DeploymentLifecycleHook{HookDetails: ecsdocument.NewLazyDocument(map[string]any{"a": 1, "b": []any{"x", 2.5}})}
	if got := ToData(hook).(map[string]any)["HookDetails"]; !reflect.DeepEqual(got, map[string]any{"a": 1, "b": []any{"x", 2.5}}) {
		t.Errorf("HookDetails = %#v", got)
	}
	if got := ToData(&s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader("x"))}).(map[string]any)["Body"]; got != nil {
		t.Errorf("a stream is %#v", got)
	}
}

// dataRoundTrip checks that FromData(ToData(v)) gives v back.
func dataRoundTrip[T any](t *testing.T, name string, v *T) {
	t.Helper()
	data := ToData(v)
	b, _ := json.Marshal(data)
	got, err := FromData(data, reflect.TypeFor[*T]())
	if err != nil {
		t.Fatalf("%s: FromData(%s): %v", name, b, err)
	}
	if !reflect.DeepEqual(got.Interface(), v) {
		t.Errorf("%s: round trip of %s\ngot  %#v\nwant %#v", name, b, got.Interface(), v)
	}
}

func TestFromDataRoundTrip(t *testing.T) {
	dataRoundTrip(t, "ec2", dataInstances())
	dataRoundTrip(t, "rds", &rds.DescribeDBClustersOutput{DBClusters: []rdstypes.DBCluster{{
		DBClusterIdentifier: aws.String("prod-db"),
		Status:              aws.String("available"),
		AllocatedStorage:    aws.Int32(100),
		ClusterCreateTime:   aws.Time(dataLaunch),
		DBClusterMembers:    []rdstypes.DBClusterMember{{DBInstanceIdentifier: aws.String("w"), IsClusterWriter: aws.Bool(true), PromotionTier: aws.Int32(1)}},
		TagList:             []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	}}})
	dataRoundTrip(t, "dynamodb", &dynamodb.PutItemInput{
		TableName: aws.String("t"),
		Item: map[string]ddbtypes.AttributeValue{
			"id":   &ddbtypes.AttributeValueMemberS{Value: "x"},
			"n":    &ddbtypes.AttributeValueMemberN{Value: "1"},
			"b":    &ddbtypes.AttributeValueMemberB{Value: []byte{0, 1, 2}},
			"ss":   &ddbtypes.AttributeValueMemberSS{Value: []string{"a", "b"}},
			"bs":   &ddbtypes.AttributeValueMemberBS{Value: [][]byte{{1}}},
			"null": &ddbtypes.AttributeValueMemberNULL{Value: true},
			"l":    &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberN{Value: "2"}}},
			"m":    &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"in": &ddbtypes.AttributeValueMemberBOOL{Value: true}}},
		},
		ReturnValues: ddbtypes.ReturnValueAllOld,
	})
	dataRoundTrip(t, "document", &ecstypes.DeploymentLifecycleHook{
		HookTargetArn:   aws.String("arn:x"),
		LifecycleStages: []ecstypes.DeploymentLifecycleHookStage{ecstypes.DeploymentLifecycleHookStagePostScaleUp},
	})
}

func TestFromDataDocument(t *testing.T) {
	v, err := FromData(map[string]any{"HookDetails": map[string]any{"a": 1, "b": []any{"x"}}}, reflect.TypeFor[ecstypes.DeploymentLifecycleHook]())
	if err != nil {
		t.Fatal(err)
	}
	got := ToData(v.Interface()).(map[string]any)["HookDetails"]
	if !reflect.DeepEqual(got, map[string]any{"a": 1, "b": []any{"x"}}) {
		t.Errorf("HookDetails = %#v", got)
	}
}

func TestFromDataUnionFromOutput(t *testing.T) {
	// PutMetricAlarmInput holds the EvaluationCriteria union, but no SDK
	// type in it deserializes one; the output DescribeAlarms does.
	ShapeOf(reflect.TypeFor[cloudwatch.DescribeAlarmsOutput]())
	v, err := FromData(map[string]any{
		"AlarmName":          "a",
		"EvaluationCriteria": map[string]any{"PromQLCriteria": map[string]any{"Query": "up", "PendingPeriod": 60}},
	}, reflect.TypeFor[cloudwatch.PutMetricAlarmInput]())
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.Interface().(cloudwatch.PutMetricAlarmInput).EvaluationCriteria.(*cwtypes.EvaluationCriteriaMemberPromQLCriteria)
	if !ok || *m.Value.Query != "up" || *m.Value.PendingPeriod != 60 {
		t.Errorf("EvaluationCriteria = %#v", v.Interface().(cloudwatch.PutMetricAlarmInput).EvaluationCriteria)
	}
	ShapeOf(reflect.TypeFor[dynamodb.GetItemOutput]())
	if _, err := FromData(map[string]any{"TableName": "t", "Key": map[string]any{"id": map[string]any{"S": "1"}}}, reflect.TypeFor[dynamodb.GetItemInput]()); err != nil {
		t.Errorf("GetItemInput: %v", err)
	}
}

func TestFromDataErrors(t *testing.T) {
	ec2In := reflect.TypeFor[ec2.DescribeInstancesInput]()
	ddbIn := reflect.TypeFor[dynamodb.PutItemInput]()
	tests := []struct {
		data any
		t    reflect.Type
		want string
	}{
		{map[string]any{"Filters": []any{map[string]any{"Name": "x", "Values": "y"}}}, ec2In, "Filters[0].Values: want list of string, got string"},
		{map[string]any{"Filters": []any{map[string]any{"Nme": "x"}}}, ec2In, `Filters[0]: unknown field "Nme" in Filter; did you mean "Name"?`},
		{map[string]any{"InstanceIds": "i-1"}, ec2In, "InstanceIds: want list of string, got string"},
		{map[string]any{"MaxResults": 1.5}, ec2In, "MaxResults: want an integer, got 1.5"},
		{map[string]any{"MaxResults": int64(1) << 40}, ec2In, "MaxResults: 1099511627776 is out of range"},
		{map[string]any{"MaxResults": "5"}, ec2In, "MaxResults: want int, got string"},
		{map[string]any{"DryRun": "true"}, ec2In, "DryRun: want bool, got string"},
		{"x", ec2In, "want object DescribeInstancesInput, got string"},
		{map[string]any{"Item": map[string]any{"id": "x"}}, ddbIn, `Item.id: want an AttributeValue: a map with one key, one of B, BOOL, BS, L, M, N, NS, NULL, S, SS; got string`},
		{map[string]any{"Item": map[string]any{"id": map[string]any{"Str": "x"}}}, ddbIn, `Item.id: unknown AttributeValue member "Str"; did you mean "S"?`},
		{map[string]any{"Item": map[string]any{"id": map[string]any{"N": 1}}}, ddbIn, `Item.id.N: want string, got int`},
		{map[string]any{"Item": map[string]any{"my key": map[string]any{"B": "%%"}}}, ddbIn, `Item["my key"].B: want a base64 string, got "%%"`},
		{map[string]any{"ReturnValues": 3}, ddbIn, `ReturnValues: want string (one of NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW), got int`},
		{map[string]any{"LaunchTime": "yesterday"}, reflect.TypeFor[ec2types.Instance](), `LaunchTime: want an RFC 3339 time (2006-01-02T15:04:05Z), got "yesterday"`},
	}
	for _, tt := range tests {
		_, err := FromData(tt.data, tt.t)
		if err == nil || err.Error() != tt.want {
			t.Errorf("FromData(%v):\n got %v\nwant %s", tt.data, err, tt.want)
		}
	}
}

func TestFromDataConversions(t *testing.T) {
	v, err := FromData(map[string]any{
		"InstanceIds": []string{"i-1", "i-2"},
		"MaxResults":  float64(5),
		"DryRun":      nil,
		"NextToken":   "",
		"Filters":     []any{map[string]any{"Name": "tag:env", "Values": []any{"prod"}}},
	}, reflect.TypeFor[*ec2.DescribeInstancesInput]())
	if err != nil {
		t.Fatal(err)
	}
	want := &ec2.DescribeInstancesInput{
		InstanceIds: []string{"i-1", "i-2"},
		MaxResults:  aws.Int32(5),
		Filters:     []ec2types.Filter{{Name: aws.String("tag:env"), Values: []string{"prod"}}},
	}
	if !reflect.DeepEqual(v.Interface(), want) {
		t.Errorf("got %#v", v.Interface())
	}
	for _, tt := range []struct {
		data any
		t    reflect.Type
		want any
	}{
		{json.Number("7"), reflect.TypeFor[int64](), int64(7)},
		{int64(7), reflect.TypeFor[int](), 7},
		{3, reflect.TypeFor[float64](), 3.0},
		{"AQI=", reflect.TypeFor[[]byte](), []byte{1, 2}},
		{"2024-03-01T12:30:45Z", reflect.TypeFor[time.Time](), dataLaunch},
		{"2024-03-01T13:30:45.5+01:00", reflect.TypeFor[time.Time](), dataLaunch.Add(time.Second / 2).In(time.FixedZone("", 3600))},
		{map[string]any{"a": 1}, reflect.TypeFor[any](), map[string]any{"a": 1}},
		{map[string]any{"a": []any{"x"}}, reflect.TypeFor[map[string][]string](), map[string][]string{"a": {"x"}}},
	} {
		got, err := FromData(tt.data, tt.t)
		if err != nil || !reflect.DeepEqual(got.Interface(), tt.want) {
			t.Errorf("FromData(%#v, %s) = %#v, %v", tt.data, tt.t, got, err)
		}
	}
	r, err := FromData(map[string]any{"Bucket": "b", "Key": "k", "Body": "hello"}, reflect.TypeFor[s3.PutObjectInput]())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r.Interface().(s3.PutObjectInput).Body); string(b) != "hello" {
		t.Errorf("Body = %q", b)
	}
}
