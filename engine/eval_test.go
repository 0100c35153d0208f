package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var evalNow = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 500, time.UTC) }

// roundTrip sends v through JSON, as the history does.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEval(t *testing.T) {
	paramsShape := Object(
		&ShapeField{Name: "N", Shape: Integer},
		&ShapeField{Name: "F", Shape: Number},
		&ShapeField{Name: "Ids", Shape: ListOf(Integer)},
	)
	params := Coerce(roundTrip(t, map[string]any{"N": 7, "F": 2.0, "Ids": []any{1, 2}}), paramsShape)
	env := map[string]any{
		"params": params,
		"steps":  map[string]any{"x": map[string]any{"y": "ok", "n": nil}},
		"result": map[string]any{"Item": map[string]any{"x": map[string]any{"S": "v"}}},
		"alarm":  nil,
	}
	tests := []struct {
		src  string
		want any
		err  string
	}{
		{src: "params.N % 2", want: 1},
		{src: "params.N * 2", want: 14},
		{src: "params.Ids[1] + params.N", want: 9},
		{src: "params.F", want: 2.0},
		{src: `steps.x.y == "ok"`, want: true},
		{src: "steps.x.n ?? 'none'", want: "none"},
		{src: "alarm?.name ?? 'manual'", want: "manual"},
		{src: "result.Item.x.S", want: "v"},
		{src: "now()", want: "2024-05-06T07:08:09Z"},
		{src: "now().Year()", want: 2024},
		{src: "duration('90s')", want: "1m30s"},
		{src: "{'a': [1, now()]}", want: map[string]any{"a": []any{1, "2024-05-06T07:08:09Z"}}},
		{src: "nope.x", err: "nope.x: unknown name nope"},
		{src: "steps.x.y.z", err: "steps.x.y.z: "},
		{src: "len(1..10000000)", err: "memory budget exceeded"},
		{src: "1 +", err: "1 +: unexpected token"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := Eval(&Expr{Src: tt.src}, env, evalNow)
			if tt.err != "" {
				var ee *EvalError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &ee) {
					t.Fatalf("err = %v, want an EvalError containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestEvalFloatBreaksModulo(t *testing.T) {
	// Without Coerce, the JSON round trip makes N a float64 and % fails:
	// the reason for decoding by declared type.
	params := roundTrip(t, map[string]any{"N": 7})
	if _, err := Eval(&Expr{Src: "params.N % 2"}, map[string]any{"params": params}, nil); err == nil {
		t.Fatal("float64 % int evaluated")
	}
}

func TestEvalNowUnavailable(t *testing.T) {
	_, err := Eval(&Expr{Src: "now()"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "now() is not available") {
		t.Fatalf("err = %v", err)
	}
}

func TestEvalKeySets(t *testing.T) {
	// One source, two sets of names: each compiles on its own.
	e := &Expr{Src: "item + 1"}
	if v, err := Eval(e, map[string]any{"item": 1}, nil); err != nil || v != 2 {
		t.Fatalf("with item: %v, %v", v, err)
	}
	if _, err := Eval(e, map[string]any{"params": nil}, nil); err == nil {
		t.Fatal("item is unknown here")
	}
	// The program is generic over the data it sees.
	if v, err := Eval(e, map[string]any{"item": 1.5}, nil); err != nil || v != 2.5 {
		t.Fatalf("float item: %v, %v", v, err)
	}
}

func TestEvalOutputs(t *testing.T) {
	outs := []*PlanOutput{
		{Name: "url", Expr: &Expr{Src: "result.QueueUrl"}, Type: Str},
		{Name: "count", Expr: &Expr{Src: "result.Count"}, Type: Integer},
		{Name: "sizes", Expr: &Expr{Src: "result.Sizes"}, Type: ListOf(Integer)},
	}
	env := map[string]any{"result": roundTrip(t, map[string]any{"QueueUrl": "http://q", "Count": 3, "Sizes": []int{1, 2}})}
	got, err := EvalOutputs(outs, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"url": "http://q", "count": 3, "sizes": []any{1, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	outs = append(outs, &PlanOutput{Name: "bad", Expr: &Expr{Src: "result.Missing.X"}})
	if _, err := EvalOutputs(outs, env, nil); err == nil || !strings.HasPrefix(err.Error(), "output bad: result.Missing.X: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestCoerce(t *testing.T) {
	obj := Object(&ShapeField{Name: "n", Shape: Integer}, &ShapeField{Name: "f", Shape: Number})
	tests := []struct {
		v    any
		s    *Shape
		want any
	}{
		{3.0, Integer, 3},
		{3.5, Integer, 3.5},
		{3.0, Number, 3.0},
		{3.0, Any, 3.0},
		{3.0, nil, 3.0},
		{"3", Integer, "3"},
		{nil, Integer, nil},
		{json.Number("4"), Integer, 4},
		{int64(5), Any, 5},
		{map[string]any{"d": int64(5)}, MapOf(Any), map[string]any{"d": 5}},
		{json.Number("4"), Number, 4.0},
		{[]any{1.0, 2.0}, ListOf(Integer), []any{1, 2}},
		{map[string]any{"a": 1.0}, MapOf(Integer), map[string]any{"a": 1}},
		{map[string]any{"n": 1.0, "f": 1.0, "x": 1.0}, obj, map[string]any{"n": 1, "f": 1.0, "x": 1.0}},
		{[]any{map[string]any{"n": 2.0}}, ListOf(obj), []any{map[string]any{"n": 2}}},
		{[]any{1.0}, Integer, []any{1.0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%s", tt.v, tt.s), func(t *testing.T) {
			if got := Coerce(tt.v, tt.s); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	// Containers that change are copies.
	in := []any{1.0}
	Coerce(in, ListOf(Integer))
	if in[0] != 1.0 {
		t.Fatal("Coerce modified its input")
	}
}

// tmpl parses s as a definition string would be.
func tmpl(t *testing.T, s string) *Value {
	t.Helper()
	parts, msg, _ := parseTemplate(s)
	if msg != "" {
		t.Fatal(msg)
	}
	return &Value{Kind: String, Str: s, Tmpl: &Template{Parts: parts, Whole: len(parts) == 1 && parts[0].Expr != nil}}
}

func TestResolve(t *testing.T) {
	env := map[string]any{
		"params": map[string]any{"Id": "db-1", "N": 3, "Force": true, "Tags": []any{"a", "b"}, "Empty": nil},
	}
	tests := []struct {
		name string
		v    *Value
		want any
		err  string
	}{
		{"nil", nil, nil, ""},
		{"null", &Value{Kind: Null}, nil, ""},
		{"int literal", &Value{Kind: Int, Int: 5}, 5, ""},
		{"float literal", &Value{Kind: Float, Float: 1.5}, 1.5, ""},
		{"bool literal", &Value{Kind: Bool, Bool: true}, true, ""},
		{"string literal", &Value{Kind: String, Str: "x"}, "x", ""},
		{"whole string", tmpl(t, "${{ params.Id }}"), "db-1", ""},
		{"whole int", tmpl(t, "${{ params.N }}"), 3, ""},
		{"whole bool", tmpl(t, "${{ params.Force }}"), true, ""},
		{"whole nil", tmpl(t, "${{ params.Empty }}"), nil, ""},
		{"whole list", tmpl(t, "${{ params.Tags }}"), []any{"a", "b"}, ""},
		{"joined", tmpl(t, "cluster ${{ params.Id }} n=${{ params.N }} f=${{ params.Force }}"), "cluster db-1 n=3 f=true", ""},
		{"joined nil", tmpl(t, "[${{ params.Empty }}]"), "[]", ""},
		{"joined list", tmpl(t, "tags ${{ params.Tags }}"), `tags ["a","b"]`, ""},
		{"literal ${{", tmpl(t, "$${{ x }}"), "${{ x }}", ""},
		{"nested", &Value{Kind: Map, Map: []*Entry{
			{Key: "Id", Value: tmpl(t, "${{ params.Id }}")},
			{Key: "Ids", Value: &Value{Kind: List, List: []*Value{{Kind: Int, Int: 1}, tmpl(t, "${{ params.N }}")}}},
		}}, map[string]any{"Id": "db-1", "Ids": []any{1, 3}}, ""},
		{"unknown name", tmpl(t, "x ${{ parms.Id }}"), nil, "parms.Id: unknown name parms"},
		{"unknown in list", &Value{Kind: List, List: []*Value{tmpl(t, "${{ bad }}")}}, nil, "bad: unknown name bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.v, env, evalNow)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func BenchmarkEval(b *testing.B) {
	env := map[string]any{"params": map[string]any{"N": 7}, "steps": map[string]any{}}
	e := &Expr{Src: "params.N % 2 == 1"}
	for b.Loop() {
		if _, err := Eval(e, env, nil); err != nil {
			b.Fatal(err)
		}
	}
}
