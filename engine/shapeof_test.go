package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/expr-lang/expr"
)

// shapeAt follows a dotted path of fields ("[]" steps into a list) from s.
func shapeAt(t *testing.T, s *Shape, path string) *Shape {
	t.Helper()
	for _, p := range strings.Split(path, ".") {
		if p == "[]" {
			if s.Kind != ListShape {
				t.Fatalf("%s: %s is not a list", path, s)
			}
			s = s.Elem
			continue
		}
		f := s.Field(p)
		if f == nil {
			t.Fatalf("%s: no field %q in %s (fields %v)", path, p, s, s.FieldNames())
		}
		s = f.Shape
	}
	return s
}

func TestShapeOfSDK(t *testing.T) {
	ec2Out := ShapeOf(reflect.TypeOf(ec2.DescribeInstancesOutput{}))
	rdsOut := ShapeOf(reflect.TypeOf(rds.DescribeDBClustersOutput{}))
	ddbIn := ShapeOf(reflect.TypeOf(dynamodb.PutItemInput{}))
	tests := []struct {
		root     *Shape
		path     string
		kind     ShapeKind
		name     string
		nullable bool
		enum     string // one of the enum's values
	}{
		{ec2Out, "Reservations", ListShape, "", false, ""},
		{ec2Out, "Reservations.[]", ObjectShape, "Reservation", false, ""},
		{ec2Out, "Reservations.[].Instances.[].State", ObjectShape, "InstanceState", true, ""},
		{ec2Out, "Reservations.[].Instances.[].State.Name", StringShape, "InstanceStateName", false, "stopped"},
		{ec2Out, "Reservations.[].Instances.[].State.Code", IntShape, "", true, ""},
		{ec2Out, "Reservations.[].Instances.[].LaunchTime", StringShape, "", true, ""},
		{ec2Out, "Reservations.[].Instances.[].EbsOptimized", BoolShape, "", true, ""},
		{ec2Out, "Reservations.[].Instances.[].Tags.[].Key", StringShape, "", true, ""},
		{ec2Out, "NextToken", StringShape, "", true, ""},
		{rdsOut, "DBClusters.[].Status", StringShape, "", true, ""},
		{rdsOut, "DBClusters.[].DBClusterMembers.[].IsClusterWriter", BoolShape, "", true, ""},
		{rdsOut, "DBClusters.[].AllocatedStorage", IntShape, "", true, ""},
		{ddbIn, "Item", MapShape, "", false, ""},
		{ddbIn, "Item", MapShape, "", false, ""},
		{ddbIn, "ReturnValues", StringShape, "ReturnValue", false, "ALL_OLD"},
	}
	for _, tt := range tests {
		s := shapeAt(t, tt.root, tt.path)
		if s.Kind != tt.kind || s.Name != tt.name || s.Nullable != tt.nullable {
			t.Errorf("%s: got %s name %q nullable %v, want %s %q %v", tt.path, s.Kind, s.Name, s.Nullable, tt.kind, tt.name, tt.nullable)
		}
		if tt.enum != "" && !strings.Contains(strings.Join(s.Enum, ","), tt.enum) {
			t.Errorf("%s: enum %v lacks %q", tt.path, s.Enum, tt.enum)
		}
	}
	// A union is known once an output that carries it has been walked; it
	// is then an object of its members.
	ShapeOf(reflect.TypeOf(dynamodb.GetItemOutput{}))
	union := ShapeOf(reflect.TypeOf(dynamodb.PutItemInput{})).Field("Item").Shape.Elem
	if f := union.Field("S"); union.Kind != ObjectShape || f == nil || f.Shape.Kind != StringShape {
		t.Errorf("a union is %s, want an object with member S", union)
	}
	if f := ec2Out.Field("ResultMetadata"); f != nil {
		t.Errorf("ResultMetadata is part of the shape")
	}
	if ShapeOf(reflect.TypeOf(ec2.DescribeInstancesOutput{})) != ec2Out {
		t.Errorf("ShapeOf is not cached")
	}
}

type shapeTree struct {
	Name     string
	Children []*shapeTree
	Parent   *shapeTree
	hidden   int
}

type shapeDeep struct{ A *shapeDeep1 }
type shapeDeep1 struct{ B []map[string]*shapeDeep }

func TestShapeOfPlain(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"", "string"},
		{0, "int"},
		{int64(0), "int"},
		{uint8(0), "int"},
		{0.5, "float"},
		{true, "bool"},
		{time.Time{}, "string"},
		{[]byte(nil), "string"},
		{[]string(nil), "list of string"},
		{map[string]any(nil), "map of any"},
		{map[int]string(nil), "any"},
		{[]map[string][]int(nil), "list of map of list of int"},
		{(*int)(nil), "int"},
		{ec2types.InstanceStateName(""), "string (one of pending, running, shutting-down, terminated, stopping, stopped)"},
	}
	for _, tt := range tests {
		if got := ShapeOf(reflect.TypeOf(tt.v)).String(); got != tt.want {
			t.Errorf("ShapeOf(%T) = %s, want %s", tt.v, got, tt.want)
		}
	}
	if !ShapeOf(reflect.TypeOf((*int)(nil))).Nullable {
		t.Errorf("*int is not nullable")
	}
	// Recursive types are cut to Any, and the cached shapes of the inner
	// types are their own (not cut at the outer type).
	tree := ShapeOf(reflect.TypeOf(shapeTree{hidden: 1}))
	if got := tree.FieldNames(); !reflect.DeepEqual(got, []string{"Name", "Children", "Parent"}) {
		t.Errorf("fields %v", got)
	}
	if k := tree.Field("Parent").Shape.Kind; k != AnyShape {
		t.Errorf("recursive Parent is %s", k)
	}
	if k := tree.Field("Children").Shape.Elem.Kind; k != AnyShape {
		t.Errorf("recursive Children is list of %s", k)
	}
	d1 := ShapeOf(reflect.TypeOf(shapeDeep1{}))
	if s := d1.Field("B").Shape.Elem.Elem; s.Kind != ObjectShape || s.Field("A").Shape.Kind != AnyShape {
		t.Errorf("shapeDeep1.B elem is %s", s)
	}
	d := ShapeOf(reflect.TypeOf(shapeDeep{}))
	if s := d.Field("A").Shape.Field("B").Shape.Elem.Elem; s.Kind != ObjectShape || s.Field("A").Shape.Kind != AnyShape {
		t.Errorf("shapeDeep.A.B elem is %s", s)
	}
}

func TestShapeGoTypeExpr(t *testing.T) {
	typ := ShapeOf(reflect.TypeOf(ec2.DescribeInstancesOutput{})).GoType()
	env := map[string]any{"result": reflect.Zero(typ).Interface()}
	tests := []struct {
		src string
		ok  bool
	}{
		{`result.Reservations[0].Instances[0].State.Name == "stopped"`, true},
		{`result.Reservations[0].Instances[0].State != nil`, true},
		{`result.Reservations[0].Instances[0].State.Code > 16`, true},
		{`result.Reservations[0].Instances[0].InstanceId != nil`, true},
		{`result.Reservations[0].Instances[0].InstanceId == "i-1"`, true},
		{`len(result.Reservations) > 0 && result.NextToken == nil`, true},
		{`result.Reservations[0].Instances[0]?.State?.Name ?? "gone"`, true},
		{`map(result.Reservations[0].Instances, .InstanceId)`, true},
		{`filter(result.Reservations[0].Instances, .EbsOptimized)`, true},
		{`first(filter(result.Reservations[0].Instances, .EbsOptimized)).InstanceId`, true},
		{`result.Reservations[0].Instances[0].EbsOptimized ? 1 : 2`, true},
		{`result.Reservations[0].Instances[0].InstanceId ?? "none"`, true},
		{`result.Reservations[0].Instances[0].State.Name == 3`, false},
		{`result.Nope`, false},
		{`result.Reservations[0].Instances[0].LaunchTime + 1`, false},
	}
	for _, tt := range tests {
		_, err := expr.Compile(tt.src, expr.Env(env))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok = %v", tt.src, err, tt.ok)
		}
	}
	// A nullable bool is a bool where one is wanted (if, until).
	if _, err := expr.Compile(`result.Reservations[0].Instances[0].EbsOptimized`, expr.Env(env), expr.AsBool()); err != nil {
		t.Errorf("as bool: %v", err)
	}
	if again := ShapeOf(reflect.TypeOf(ec2.DescribeInstancesOutput{})).GoType(); again != typ {
		t.Errorf("GoType is not cached")
	}
}

func TestShapeGoTypeNames(t *testing.T) {
	s := Object(
		&ShapeField{Name: "Plain", Shape: Str},
		&ShapeField{Name: "lower", Shape: Integer},
		&ShapeField{Name: "with-dash", Shape: &Shape{Kind: BoolShape, Nullable: true}},
		&ShapeField{Name: "Xlower", Shape: Str},
		&ShapeField{Name: "Nested", Shape: &Shape{Kind: ObjectShape, Nullable: true, Fields: []*ShapeField{{Name: "L", Shape: ListOf(Any)}}}},
	)
	typ := s.GoType()
	env := map[string]any{"v": reflect.Zero(typ).Interface()}
	for src, ok := range map[string]bool{
		`v.Plain + "x"`:                   true,
		`v.lower + 1`:                     true,
		`v["with-dash"] == true`:          true,
		`v.Xlower + "x"`:                  true,
		`v.Nested.L[0]`:                   true,
		`v.Nested == nil`:                 true,
		`v.lower + "x"`:                   false,
		`v.Missing`:                       false,
		`v["with-dash"] + 1 > 0`:          false,
		`v.Nested.L[0].anything.x`:        true,
		`v.Plain == nil || v.Plain == ""`: true,
	} {
		_, err := expr.Compile(src, expr.Env(env))
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok = %v", src, err, ok)
		}
	}
	if f, _ := typ.FieldByName("Xlower2"); f.Tag.Get("expr") != "lower" {
		t.Errorf("fields: %v", typ)
	}
	// ShapeOf reads a synthesized type back, with the original names.
	back := ShapeOf(typ)
	if got := back.FieldNames(); !reflect.DeepEqual(got, []string{"Plain", "lower", "with-dash", "Xlower", "Nested"}) {
		t.Errorf("ShapeOf(GoType) fields %v", got)
	}
	if f := back.Field("with-dash"); f.Shape.Kind != BoolShape {
		t.Errorf("with-dash is %+v", f.Shape)
	}
}
