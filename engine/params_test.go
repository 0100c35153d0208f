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
