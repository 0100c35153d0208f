package casetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/runbook-dev/runbook/engine"
)

// Check checks the test file against the plan of its definition, which
// was validated with opts: canned responses name steps that make calls and
// fit what those calls return (an AWS result the operation's output type,
// outputs the step's output types), decisions name human steps of their
// kind and fit them (answers the fields, checked items the checklist),
// expectations name steps, outputs and nodes that exist, params fit the
// definition's. It keeps what the cases run with: call Check before
// Run.
func (tf *File) Check(p *engine.Plan, opts engine.Options) engine.Diagnostics {
	tc := &testCheck{plan: p, opts: opts, named: map[string][]*engine.PlanStep{}, own: map[string]*engine.PlanStep{}}
	tc.index(p, true, map[string]bool{})
	for _, c := range tf.Cases {
		tc.testCase(c)
	}
	tc.ds.Sort()
	return tc.ds
}

type testCheck struct {
	plan  *engine.Plan
	opts  engine.Options
	named map[string][]*engine.PlanStep // every step of the plan and the runbooks it runs, by name
	own   map[string]*engine.PlanStep   // the plan's own steps, nested ones included
	ds    engine.Diagnostics
}

// index records the steps of p, nested ones and those of the runbooks its
// run steps start (not those a conclude recommends: the test does not run
// them).
func (tc *testCheck) index(p *engine.Plan, own bool, seen map[string]bool) {
	seen[p.Digest] = true
	var walk func([]*engine.PlanStep)
	walk = func(steps []*engine.PlanStep) {
		for _, s := range steps {
			tc.named[s.Name] = append(tc.named[s.Name], s)
			if own {
				tc.own[s.Name] = s
			}
			walk(s.Steps)
			if tc.runs(s, engine.RunsChild) && s.Child != nil && !seen[s.Child.Digest] {
				tc.index(s.Child, false, seen)
			}
		}
	}
	walk(p.Steps)
	walk(p.Finally)
}

func (tc *testCheck) testCase(c *Case) {
	given := map[string]any{}
	at := c.Pos
	if c.Params != nil {
		given, _ = testData(c.Params).(map[string]any)
		at = c.Params.Pos
	}
	params, err := engine.CheckParams(tc.plan, given)
	if err != nil {
		tc.ds.Errorf(at, "params: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	c.params, c.kinds = params, tc.opts.Kinds
	if c.Alarm != nil {
		c.alarm, _ = testData(c.Alarm).(map[string]any)
	}
	for _, cn := range c.Calls {
		tc.canned(cn)
	}
	for _, a := range c.Approvals {
		tc.approval(a)
	}
	tc.expect(&c.Expect)
}

// testData is a literal Value as data, ints as int.
func testData(v *engine.Value) any {
	d, _ := engine.Resolve(v, nil, nil)
	return d
}

// runs reports whether s is of a kind that runs as r.
func (tc *testCheck) runs(s *engine.PlanStep, r engine.Runs) bool {
	k := tc.opts.Kinds.Lookup(s.Kind)
	return k != nil && k.Runs == r
}

// callee is what a step calls, as a canned response sees it.
type callee struct {
	key   string        // service:Operation, else the activity (http, script)
	shape *engine.Shape // of result
	op    *engine.Operation
}

// callee returns what s calls (its kind says: Kind.Calls), or why it
// takes no canned response.
func (tc *testCheck) callee(s *engine.PlanStep) (*callee, string) {
	var op string
	k := tc.opts.Kinds.Lookup(s.Kind)
	activity := ""
	if k != nil {
		activity, _ = k.Calls(s)
		op = k.Operation(s)
	}
	switch {
	case op != "":
	case activity != "":
		return &callee{key: activity, shape: tc.result(activity)}, ""
	case k.Human() && s.Arg("notify") != nil:
		if s.Arg("notify").Field("sns") == nil {
			return &callee{key: engine.ActivityHTTP, shape: tc.result(engine.ActivityHTTP)}, ""
		}
		op = "sns:Publish"
	default:
		kind := s.Kind
		if kind == "" {
			kind = "branch"
		}
		return nil, fmt.Sprintf("step %s (%s) makes no call: aws, waitFor, assert with aws, http, script and notifying human steps (approve, manual, ask) do", s.Name, kind)
	}
	c := &callee{key: op, shape: engine.Any}
	if tc.opts.Services != nil {
		if o, err := tc.opts.Services.Operation(op); err == nil {
			c.op, c.shape = o, engine.ShapeOf(o.Output)
		}
	}
	return c, ""
}

// result is the shape of the result of activity (http, script): its
// kind's.
func (tc *testCheck) result(activity string) *engine.Shape {
	for _, k := range tc.opts.Kinds {
		if k.Activity == activity && k.Result != nil {
			return k.Result
		}
	}
	return engine.Any
}

// canned checks the responses of calls.KEY against every step KEY names
// and keeps their data.
func (tc *testCheck) canned(cn *Canned) {
	section := "calls"
	if cn.HTTP {
		section = "http"
	}
	targets := tc.named[cn.Key]
	if len(targets) == 0 && strings.Contains(cn.Key, ":") {
		for _, ss := range tc.named {
			for _, s := range ss {
				if c, _ := tc.callee(s); c != nil && c.key == cn.Key {
					targets = append(targets, s)
				}
			}
		}
	}
	if len(targets) == 0 {
		d := tc.ds.Errorf(cn.Pos, "%s.%s names no step of %s (nor an operation one calls)", section, cn.Key, tc.plan.Name)
		d.Hint = cmp.Or(engine.DidYouMean(cn.Key, tc.callers()), "steps that make calls: "+strings.Join(tc.callers(), ", "))
		return
	}
	for _, s := range targets {
		c, why := tc.callee(s)
		switch {
		case c == nil:
			tc.ds.Errorf(cn.Pos, "%s.%s: %s", section, cn.Key, why)
			return
		case cn.HTTP && c.key != engine.ActivityHTTP:
			tc.ds.Errorf(cn.Pos, "http.%s: step %s is a %s step; give its responses under calls", cn.Key, s.Name, s.Kind)
			return
		}
		for _, r := range cn.Responses {
			tc.response(r, s, c)
		}
	}
}

// callers lists the steps that take canned responses, for hints.
func (tc *testCheck) callers() []string {
	var out []string
	for name, ss := range tc.named {
		if c, _ := tc.callee(ss[0]); c != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (tc *testCheck) response(r *Response, s *engine.PlanStep, c *callee) {
	switch {
	case r.Result != nil:
		n := len(tc.ds)
		engine.CheckData(r.Result, c.shape, "result", &tc.ds, nil)
		if len(tc.ds) > n {
			return
		}
		data := testData(r.Result)
		if c.op != nil {
			v, err := engine.FromData(data, c.op.Output)
			if err != nil {
				tc.ds.Errorf(r.Result.Pos, "result does not fit %s's output: %v", c.key, err)
				return
			}
			data = engine.ToData(v.Interface())
		}
		if r.data == nil {
			r.data = map[string]any{}
		}
		r.data[c.key] = resultDefaults(c.key, data)
	case r.Outputs != nil:
		var names []string
		for _, o := range s.Outputs {
			names = append(names, o.Name)
		}
		for _, e := range r.Outputs.Map {
			o := planOutput(s.Outputs, e.Key)
			if o == nil {
				d := tc.ds.Errorf(e.KeyPos, "step %s has no output %q", s.Name, e.Key)
				d.Hint = cmp.Or(engine.DidYouMean(e.Key, names), "its outputs: "+cmp.Or(strings.Join(names, ", "), "none"))
				continue
			}
			engine.CheckData(e.Value, o.Type, "outputs."+e.Key, &tc.ds, nil)
		}
		r.outs, _ = testData(r.Outputs).(map[string]any)
	}
}

// resultDefaults completes an http result (status 200, json from the body
// or the body from json) and a script's (empty output, exit code 0).
func resultDefaults(key string, data any) any {
	m, _ := data.(map[string]any)
	switch key {
	case engine.ActivityHTTP:
		out := map[string]any{"status": 200, "headers": map[string]any{}, "body": "", "json": nil}
		for k, v := range m {
			out[k] = v
		}
		_, hasBody := m["body"]
		_, hasJSON := m["json"]
		switch {
		case hasJSON && !hasBody:
			b, _ := json.Marshal(m["json"])
			out["body"] = string(b)
		case hasBody && !hasJSON:
			if s, ok := m["body"].(string); ok {
				out["json"], _ = engine.ParseJSON([]byte(s))
			}
		}
		return out
	case engine.ActivityScript:
		out := map[string]any{"stdout": "", "stderr": "", "exitCode": 0}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return data
}

func planOutput(outs []*engine.PlanOutput, name string) *engine.PlanOutput {
	for _, o := range outs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// recordBase is the step name of a record name ("loop[0].check" -> check).
func recordBase(name string) string {
	return name[strings.LastIndexByte(name, '.')+1:]
}
