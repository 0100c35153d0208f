package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// checkDataKV is an ordered map for building test Values: key, value, ...
type checkDataKV []any

// checkDataValue builds a Value from Go data. Each node gets its own line; a
// key is at column 1, a value at column 2. A string that is exactly one
// ${{ }} is a whole template, other strings with ${{ are text templates.
func checkDataValue(x any, line *int) *Value {
	*line++
	v := &Value{Pos: Pos{File: "t.yaml", Line: *line, Col: 2}}
	switch x := x.(type) {
	case nil:
		v.Kind = Null
	case bool:
		v.Kind, v.Bool = Bool, x
	case int:
		v.Kind, v.Int = Int, int64(x)
	case float64:
		v.Kind, v.Float = Float, x
	case string:
		v.Kind, v.Str = String, x
		if i := strings.Index(x, "${{"); i >= 0 {
			j := strings.Index(x, "}}")
			src := strings.TrimSpace(x[i+3 : j])
			whole := i == 0 && j == len(x)-2
			v.Tmpl = &Template{Whole: whole, Parts: []Part{{Expr: &Expr{Src: src, Pos: v.Pos}}}}
			if !whole {
				v.Tmpl.Parts = append(v.Tmpl.Parts, Part{Lit: x[j+2:]})
			}
		}
	case []any:
		v.Kind = List
		for _, e := range x {
			v.List = append(v.List, checkDataValue(e, line))
		}
	case checkDataKV:
		v.Kind = Map
		for i := 0; i < len(x); i += 2 {
			*line++
			e := &Entry{Key: x[i].(string), KeyPos: Pos{File: "t.yaml", Line: *line, Col: 1}}
			e.Value = checkDataValue(x[i+1], line)
			v.Map = append(v.Map, e)
		}
	default:
		panic(x)
	}
	return v
}

var checkDataExprShapes = map[string]*Shape{
	"params.Name":  Str,
	"params.Count": Integer,
	"params.Ids":   ListOf(Str),
	"params.Flag":  Boolean,
	"params.Tags":  MapOf(Str),
	"params.Obj":   Object(&ShapeField{Name: "Name", Shape: Str}, &ShapeField{Name: "Values", Shape: ListOf(Str)}),
	"params.Bad":   Object(&ShapeField{Name: "Nope", Shape: Str}),
}

func TestCheckData(t *testing.T) {
	rdsIn := ShapeOf(reflect.TypeFor[rds.DescribeDBClustersInput]())
	ec2In := ShapeOf(reflect.TypeFor[ec2.DescribeInstancesInput]())
	ddbIn := ShapeOf(reflect.TypeFor[dynamodb.PutItemInput]())
	tests := []struct {
		name  string
		shape *Shape
		input any
		want  []string // messages; "@key " prefix: at the key
	}{
		{"ok", rdsIn, checkDataKV{"DBClusterIdentifier", "${{ params.Name }}", "MaxRecords", 20, "IncludeShared", true}, nil},
		{"typo", rdsIn, checkDataKV{"DBClusterIdentifer", "x"},
			[]string{`@key unknown field "DBClusterIdentifer" in DescribeDBClustersInput; did you mean "DBClusterIdentifier"?`}},
		{"far off", rdsIn, checkDataKV{"Zzzzzzzzzz", "x"},
			[]string{`@key unknown field "Zzzzzzzzzz" in DescribeDBClustersInput; fields are DBClusterIdentifier, Filters, IncludeShared, Marker, MaxRecords`}},
		{"list for string", rdsIn, checkDataKV{"DBClusterIdentifier", []any{"a"}}, []string{"DBClusterIdentifier wants a string, got a list"}},
		{"bool for int", rdsIn, checkDataKV{"MaxRecords", true}, []string{"MaxRecords wants an int, got a bool"}},
		{"fraction for int", rdsIn, checkDataKV{"MaxRecords", 1.5}, []string{"MaxRecords wants an int, got 1.5"}},
		{"integral float", rdsIn, checkDataKV{"MaxRecords", 20.0}, nil},
		{"int for string", rdsIn, checkDataKV{"Marker", 5}, []string{"Marker wants a string, got an int"}},
		{"no scalar to list", ec2In, checkDataKV{"InstanceIds", "i-1"}, []string{"InstanceIds wants a list of string, got a string"}},
		{"nested", ec2In, checkDataKV{"Filters", []any{checkDataKV{"Name", "tag:env", "Valus", []any{"a"}}, checkDataKV{"Values", "a"}}},
			[]string{`@key unknown field "Valus" in Filter; did you mean "Values"?`, "Filters[1].Values wants a list of string, got a string"}},
		{"null and empty", ec2In, checkDataKV{"InstanceIds", nil, "NextToken", "", "MaxResults", ""}, nil},
		{"text template", ec2In, checkDataKV{"NextToken", "t-${{ params.Name }}", "MaxResults", "${{ params.Count }}0"},
			[]string{"MaxResults wants an int, got a string"}},
		{"whole templates", ec2In, checkDataKV{"InstanceIds", "${{ params.Ids }}", "MaxResults", "${{ params.Count }}", "DryRun", "${{ params.Flag }}",
			"Filters", []any{"${{ params.Obj }}"}, "NextToken", "${{ params.Unknown }}"}, nil},
		{"whole template mismatch", ec2In, checkDataKV{"InstanceIds", "${{ params.Name }}", "DryRun", "${{ params.Count }}", "Filters", []any{"${{ params.Bad }}"}},
			[]string{"InstanceIds wants a list of string, but ${{ params.Name }} gives a string",
				"DryRun wants a bool, but ${{ params.Count }} gives an int",
				"Filters[0] wants an object Filter, but ${{ params.Bad }} gives an object"}},
		{"enum", ddbIn, checkDataKV{"TableName", "t", "ReturnValues", "ALL_OLD"}, nil},
		{"enum typo", ddbIn, checkDataKV{"ReturnValues", "ALL_OLDD"},
			[]string{`ReturnValues wants one of NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW, got "ALL_OLDD"; did you mean "ALL_OLD"?`}},
		{"enum template", ddbIn, checkDataKV{"ReturnValues", "${{ params.Name }}"}, nil},
		{"any", ddbIn, checkDataKV{"Item", checkDataKV{"id", checkDataKV{"S", "x"}, "n", 3}}, nil},
		{"map of", ddbIn, checkDataKV{"ExpressionAttributeNames", checkDataKV{"#a", "x", "#b", 1}}, []string{"ExpressionAttributeNames[\"#b\"] wants a string, got an int"}},
		{"map template", ddbIn, checkDataKV{"ExpressionAttributeNames", "${{ params.Tags }}"}, nil},
		{"map for object", ec2In, checkDataKV{"Filters", []any{"${{ params.Tags }}"}}, nil},
		{"top level", rdsIn, []any{"x"}, []string{"the value wants an object DescribeDBClustersInput, got a list"}},
	}
	for _, tt := range tests {
		line := 0
		v := checkDataValue(tt.input, &line)
		var ds Diagnostics
		CheckData(v, tt.shape, "", &ds, func(e *Expr) *Shape { return checkDataExprShapes[e.Src] })
		var got []string
		for _, d := range ds {
			m := d.Message()
			if d.Pos.Col == 1 {
				m = "@key " + m
			}
			if d.Severity != Error || d.Pos.Line == 0 {
				t.Errorf("%s: %v", tt.name, d)
			}
			got = append(got, m)
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	var ds Diagnostics
	CheckData(checkDataValue(checkDataKV{"MaxRecords", "${{ params.Name }}"}, new(int)), rdsIn, "", &ds, nil)
	if len(ds) != 0 {
		t.Errorf("nil exprShape: %v", ds)
	}
}

func TestProbeInput(t *testing.T) {
	line := 0
	v := checkDataValue(checkDataKV{
		"InstanceIds", []any{"i-1", "${{ params.Id }}"},
		"DryRun", "${{ params.Flag }}",
		"MaxResults", "oops",
		"Filters", "${{ params.Filters }}",
		"Nope", 1,
	}, &line)
	got := probeInput(v, reflect.TypeFor[ec2.DescribeInstancesInput]()).(*ec2.DescribeInstancesInput)
	if !reflect.DeepEqual(got.InstanceIds, []string{"i-1", "x"}) || got.DryRun == nil || !*got.DryRun || got.MaxResults != nil {
		t.Errorf("probe = %+v", got)
	}
	if len(got.Filters) != 1 || got.Filters[0].Name == nil || len(got.Filters[0].Values) != 1 {
		t.Errorf("probePlaceholder filters = %+v", got.Filters)
	}
	stop := probeInput(checkDataValue(checkDataKV{"InstanceIds", "${{ params.Ids }}", "Force", true}, &line), reflect.TypeFor[ec2.StopInstancesInput]()).(*ec2.StopInstancesInput)
	if len(stop.InstanceIds) != 1 || stop.Force == nil || !*stop.Force {
		t.Errorf("stop = %+v", stop)
	}
	put := probeInput(checkDataValue(checkDataKV{"TableName", "${{ params.T }}", "Item", "${{ params.Item }}", "ReturnValues", "${{ params.R }}"}, &line),
		reflect.TypeFor[dynamodb.PutItemInput]()).(*dynamodb.PutItemInput)
	if *put.TableName != "x" || len(put.Item) != 1 || put.ReturnValues != ddbtypes.ReturnValueNone {
		t.Errorf("put = %+v", put)
	}
	if _, ok := put.Item["x"].(*ddbtypes.AttributeValueMemberB); !ok {
		t.Errorf("put.Item = %#v", put.Item)
	}
	empty := probeInput(nil, reflect.TypeFor[ec2types.Filter]()).(*ec2types.Filter)
	if empty.Name != nil {
		t.Errorf("empty = %+v", empty)
	}
}
