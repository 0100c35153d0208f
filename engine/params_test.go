package engine_test

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine"
)

func TestParams(t *testing.T) {
	p := plan(t, header+`params:
  Id: {type: string, pattern: '^i-[0-9a-f]+$'}
  N: {type: int, default: 2, min: 1, max: 5}
  Mode: {type: string, enum: [fast, slow], default: fast}
  Ids: {type: list, items: int, default: []}
  Wait: {type: duration, default: 10m}
steps:
  - name: s
    log: ${{ params.Id }} ${{ params.N }} ${{ params.Mode }} ${{ params.Ids }} ${{ params.Wait }}
`)
	byName := map[string]*engine.PlanParam{}
	for _, pp := range p.Params {
		byName[pp.Name] = pp
	}
	ids, err := engine.ParseParam(byName["Ids"], "1, 2,3")
	if err != nil || len(ids.([]any)) != 3 || ids.([]any)[2] != 3 {
		t.Fatalf("Ids: %#v %v", ids, err)
	}
	n, _ := engine.ParseParam(byName["N"], "4")
	got, err := engine.CheckParams(p, map[string]any{"Id": "i-0abc", "N": n, "Ids": ids})
	if err != nil {
		t.Fatal(err)
	}
	if got["N"] != 4 || got["Mode"] != "fast" || got["Wait"] != "10m" {
		t.Errorf("typed params %#v", got)
	}
	for _, tc := range []struct {
		given map[string]any
		want  string
	}{
		{map[string]any{}, "missing param Id"},
		{map[string]any{"Id": "x"}, `does not match pattern`},
		{map[string]any{"Id": "i-1", "N": 9}, "more than the maximum 5"},
		{map[string]any{"Id": "i-1", "Mode": "medium"}, "not one of fast, slow"},
		{map[string]any{"Id": "i-1", "Mod": "fast"}, `unknown param Mod; did you mean "Mode"?`},
		{map[string]any{"Id": "i-1", "N": "three"}, "want an int"},
		{map[string]any{"Id": "i-1", "Wait": "soon"}, "invalid duration"},
	} {
		if _, err := engine.CheckParams(p, tc.given); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.given, err, tc.want)
		}
	}
	if _, err := engine.ParseParam(byName["N"], "x"); err == nil {
		t.Error("N=x parsed")
	}
}

// plan validates src and returns its plan.
func plan(t *testing.T, src string) *engine.Plan {
	t.Helper()
	r := engine.Validate([]engine.File{{Path: "t.yaml", Src: []byte(src)}}, options(t))
	if len(r.Plans) != 1 {
		t.Fatalf("invalid test definition: %v", r.Diags)
	}
	return r.Plans[0]
}

func TestCheckAnswer(t *testing.T) {
	fields := []*engine.PlanParam{
		{Name: "errors", Type: "string", Required: true, Enum: []any{"yes", "no"}},
		{Name: "count", Type: "int", Required: true, Min: &engine.Value{Kind: engine.Int, Int: 0}},
		{Name: "note", Type: "string", Default: ""},
	}
	for _, c := range []struct {
		given map[string]any
		want  string // every problem, one a line; "" for accepted
	}{
		{map[string]any{"errors": "yes", "count": "3"}, ""},
		{map[string]any{"errors": "yes", "count": float64(3), "note": "x"}, ""},
		{map[string]any{"errors": "maybe", "count": "three", "colour": "red"}, "field count: want an integer, got \"three\"\nfield errors: " +
			"maybe is not one of yes, no\nunknown field colour; the question has errors, count, note"},
		{map[string]any{"count": "-1"}, "missing field errors (string)\nfield count: -1 is less than the minimum 0"},
	} {
		got, err := engine.CheckAnswer(fields, c.given)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: refused: %v", c.given, err)
		case c.want == "" && (got["count"] != 3 || got["note"] == nil):
			t.Errorf("%v: typed %#v, want count 3 and the note's default", c.given, got)
		case c.want != "" && (err == nil || err.Error() != c.want):
			t.Errorf("%v:\n got %v\nwant %s", c.given, err, c.want)
		}
	}
}
