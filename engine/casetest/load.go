package casetest

import (
	"slices"

	"github.com/runbook-dev/runbook/engine"
	"gopkg.in/yaml.v3"
)

// The loading of a test file's parts (see Load), each keeping its
// position.

func (l *testLoader) testCase(n *yaml.Node) *Case {
	n = engine.Deref(n)
	c := &Case{Pos: l.Pos(n), Requester: "tester"}
	for _, p := range l.Mapping(n, "a test case", testCaseFields) {
		switch p.Key {
		case "name":
			id := l.Ident(p.V, "name")
			c.Name, c.Pos = id.Name, id.Pos
		case "description":
			l.Str(p.V, "description")
		case "params", "alarm":
			v := l.Literal(p.V)
			if v.Kind != engine.Map {
				l.Errorf(p.V, "%s must be a mapping, not %s", p.Key, engine.Describe(p.V))
				continue
			}
			if p.Key == "params" {
				c.Params = v
			} else {
				c.Alarm = v
			}
		case "requester":
			c.Requester, _ = l.Str(p.V, "requester")
		case "calls", "http":
			for _, q := range l.Mapping(p.V, p.Key, nil) {
				c.Calls = append(c.Calls, l.canned(q, p.Key == "http"))
			}
		case "approvals", "people":
			c.Approvals = append(c.Approvals, l.people(p, c.Approvals != nil)...)
		case "expect":
			c.Expect = l.testExpect(p.V)
		}
	}
	if c.Name == "" {
		l.Diags.Errorf(c.Pos, "a test case needs a name")
	}
	if c.Expect.Status.Name == "" {
		c.Expect.Status.Name = engine.StatusSucceeded
	}
	return c
}

// canned reads calls.KEY (or http.KEY): one response or a list of them.
func (l *testLoader) canned(p engine.Pair, http bool) *Canned {
	c := &Canned{Key: p.Key, Pos: l.Pos(p.K), HTTP: http}
	items := []*yaml.Node{p.V}
	if p.V.Kind == yaml.SequenceNode {
		items = p.V.Content
	}
	for _, n := range items {
		if r := l.response(engine.Deref(n), http); r != nil {
			c.Responses = append(c.Responses, r)
		}
	}
	if len(items) == 0 {
		l.Errorf(p.V, "give at least one response")
	}
	return c
}

func (l *testLoader) response(n *yaml.Node, http bool) *Response {
	r := &Response{Pos: l.Pos(n)}
	if n.Kind != yaml.MappingNode {
		l.Errorf(n, "a canned response is a mapping with result, outputs or error, not %s", engine.Describe(n))
		return nil
	}
	if http && !hasAnyKey(n, testResponseFields) { // the result itself, checked as one
		r.Result = l.Literal(n)
		return r
	}
	set := 0
	for _, p := range l.Mapping(n, "a canned response", testResponseFields) {
		switch p.Key {
		case "result":
			r.Result, set = l.Literal(p.V), set+1
		case "outputs":
			set++
			if r.Outputs = l.Literal(p.V); r.Outputs.Kind != engine.Map {
				l.Errorf(p.V, "outputs must be a mapping of output names to values, not %s", engine.Describe(p.V))
				r.Outputs = nil
			}
		case "met":
			b := l.Bool(p.V, "met")
			r.Met = &b
		case "error":
			r.Error, set = l.cannedError(p.V), set+1
		}
	}
	switch {
	case set != 1:
		l.Errorf(n, "a canned response has exactly one of result, outputs or error")
		return nil
	case r.Met != nil && r.Outputs == nil:
		l.Errorf(n, "met goes with outputs (with result, until or the condition decides)")
	}
	return r
}

func hasAnyKey(n *yaml.Node, keys []string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if slices.Contains(keys, n.Content[i].Value) {
			return true
		}
	}
	return false
}

func (l *testLoader) cannedError(n *yaml.Node) *CannedError {
	if n.Kind == yaml.ScalarNode {
		code, _ := l.Str(n, "error")
		return &CannedError{Code: code}
	}
	e := &CannedError{}
	for _, p := range l.Mapping(n, "error", testErrorFields) {
		switch p.Key {
		case "code":
			e.Code, _ = l.Str(p.V, "code")
		case "message":
			e.Message, _ = l.Str(p.V, "message")
		case "retryable":
			e.Retryable = l.Bool(p.V, "retryable")
		}
	}
	if e.Code == "" {
		l.Errorf(n, "an error needs a code (its type: an AWS error code such as ThrottlingException)")
	}
	return e
}

func (l *testLoader) testExpect(n *yaml.Node) Expect {
	e := Expect{Pos: l.Pos(engine.Deref(n))}
	for _, p := range l.Mapping(n, "expect", testExpectFields) {
		switch p.Key {
		case "status":
			e.Status = l.Ident(p.V, "status")
			if !slices.Contains([]string{engine.StatusSucceeded, engine.StatusFailed, engine.StatusTimedOut, engine.StatusCancelled}, e.Status.Name) {
				l.Errorf(p.V, "status is succeeded, failed, timedOut or cancelled, not %q", e.Status.Name).Hint =
					engine.DidYouMean(e.Status.Name, []string{engine.StatusSucceeded, engine.StatusFailed, engine.StatusTimedOut, engine.StatusCancelled})
			}
		case "failed":
			e.Failed = l.Ident(p.V, "failed")
		case "error":
			e.Error = l.Ident(p.V, "error")
		case "message":
			e.Message = l.Ident(p.V, "message")
		case "path":
			e.Path, e.HasPath = l.StrList(p.V, "path"), true
		case "steps":
			for _, q := range l.Mapping(p.V, "expect.steps", nil) {
				e.Steps = append(e.Steps, &engine.Entry{Key: q.Key, KeyPos: l.Pos(q.K), Value: l.Literal(q.V)})
			}
		case "outputs":
			if e.Outputs = l.Literal(p.V); e.Outputs.Kind != engine.Map {
				l.Errorf(p.V, "expect.outputs must be a mapping, not %s", engine.Describe(p.V))
				e.Outputs = nil
			}
		case "finding":
			l.Mapping(p.V, "expect.finding", testFindingFields)
			e.Finding = l.Literal(p.V)
		}
	}
	if e.Status.Name == "" && (e.Failed.Name != "" || e.Error.Name != "") {
		e.Status.Name = engine.StatusFailed
	}
	return e
}
