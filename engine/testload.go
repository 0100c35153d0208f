package engine

import (
	"gopkg.in/yaml.v3"
)

// The loading of a test file's parts (see LoadTest), each keeping its
// position.

func (l *loader) testCase(n *yaml.Node) *TestCase {
	n = deref(n)
	c := &TestCase{Pos: l.pos(n), Requester: "tester"}
	for _, p := range l.mapping(n, "a test case", testCaseFields) {
		switch p.key {
		case "name":
			id := l.ident(p.v, "name")
			c.Name, c.Pos = id.Name, id.Pos
		case "description":
			l.str(p.v, "description")
		case "params", "alarm":
			v := l.data(p.v)
			if v.Kind != Map {
				l.errorf(p.v, "%s must be a mapping, not %s", p.key, describe(p.v))
				continue
			}
			if p.key == "params" {
				c.Params = v
			} else {
				c.Alarm = v
			}
		case "requester":
			c.Requester, _ = l.str(p.v, "requester")
		case "calls", "http":
			for _, q := range l.mapping(p.v, p.key, nil) {
				c.Calls = append(c.Calls, l.canned(q, p.key == "http"))
			}
		case "approvals":
			if p.v.Kind != yaml.SequenceNode {
				l.errorf(p.v, "approvals must be a list, not %s", describe(p.v))
				continue
			}
			for _, a := range p.v.Content {
				c.Approvals = append(c.Approvals, l.testApproval(a))
			}
		case "expect":
			c.Expect = l.testExpect(p.v)
		}
	}
	if c.Name == "" {
		l.diags.Errorf(c.Pos, "a test case needs a name")
	}
	if c.Expect.Status.Name == "" {
		c.Expect.Status.Name = StatusSucceeded
	}
	return c
}

// canned reads calls.KEY (or http.KEY): one response or a list of them.
func (l *loader) canned(p pair, http bool) *Canned {
	c := &Canned{Key: p.key, Pos: l.pos(p.k), HTTP: http}
	items := []*yaml.Node{p.v}
	if p.v.Kind == yaml.SequenceNode {
		items = p.v.Content
	}
	for _, n := range items {
		if r := l.response(deref(n), http); r != nil {
			c.Responses = append(c.Responses, r)
		}
	}
	if len(items) == 0 {
		l.errorf(p.v, "give at least one response")
	}
	return c
}

func (l *loader) response(n *yaml.Node, http bool) *Response {
	r := &Response{Pos: l.pos(n)}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "a canned response is a mapping with result, outputs or error, not %s", describe(n))
		return nil
	}
	if http && !hasAnyKey(n, testResponseFields) { // the result itself, checked as one
		r.Result = l.data(n)
		return r
	}
	set := 0
	for _, p := range l.mapping(n, "a canned response", testResponseFields) {
		switch p.key {
		case "result":
			r.Result, set = l.data(p.v), set+1
		case "outputs":
			set++
			if r.Outputs = l.data(p.v); r.Outputs.Kind != Map {
				l.errorf(p.v, "outputs must be a mapping of output names to values, not %s", describe(p.v))
				r.Outputs = nil
			}
		case "met":
			b := l.boolean(p.v, "met")
			r.Met = &b
		case "error":
			r.Error, set = l.cannedError(p.v), set+1
		}
	}
	switch {
	case set != 1:
		l.errorf(n, "a canned response has exactly one of result, outputs or error")
		return nil
	case r.Met != nil && r.Outputs == nil:
		l.errorf(n, "met goes with outputs (with result, until or the condition decides)")
	}
	return r
}

func hasAnyKey(n *yaml.Node, keys []string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if contains(keys, n.Content[i].Value) {
			return true
		}
	}
	return false
}

func (l *loader) cannedError(n *yaml.Node) *CannedError {
	if n.Kind == yaml.ScalarNode {
		code, _ := l.str(n, "error")
		return &CannedError{Code: code}
	}
	e := &CannedError{}
	for _, p := range l.mapping(n, "error", testErrorFields) {
		switch p.key {
		case "code":
			e.Code, _ = l.str(p.v, "code")
		case "message":
			e.Message, _ = l.str(p.v, "message")
		case "retryable":
			e.Retryable = l.boolean(p.v, "retryable")
		}
	}
	if e.Code == "" {
		l.errorf(n, "an error needs a code (its type: an AWS error code such as ThrottlingException)")
	}
	return e
}

func (l *loader) testApproval(n *yaml.Node) *TestApproval {
	n = deref(n)
	a := &TestApproval{Pos: l.pos(n), Decision: UpdateApprove}
	for _, p := range l.mapping(n, "an approval", testApprovalFields) {
		switch p.key {
		case "step":
			a.Step = l.ident(p.v, "step")
		case "by":
			a.By, _ = l.str(p.v, "by")
		case "groups":
			for _, g := range l.strList(p.v, "groups") {
				a.Groups = append(a.Groups, g.Name)
			}
		case "after":
			if d := l.duration(p.v, "after"); d != nil && d.Expr == nil {
				a.After = d.D
			} else if d != nil {
				l.errorf(p.v, "after is literal: it cannot use ${{ }}")
			}
		case "decision":
			d, _ := l.str(p.v, "decision")
			if d != UpdateApprove && d != UpdateReject {
				l.errorf(p.v, "decision is approve or reject, not %q", d)
			}
			a.Decision = d
		case "comment":
			a.Comment, _ = l.str(p.v, "comment")
		case "refused":
			a.Refused = l.boolean(p.v, "refused")
		}
	}
	if a.By == "" {
		l.diags.Errorf(a.Pos, "an approval needs by: who decides")
	}
	return a
}

func (l *loader) testExpect(n *yaml.Node) TestExpect {
	e := TestExpect{Pos: l.pos(deref(n))}
	for _, p := range l.mapping(n, "expect", testExpectFields) {
		switch p.key {
		case "status":
			e.Status = l.ident(p.v, "status")
			if !contains([]string{StatusSucceeded, StatusFailed, StatusTimedOut, StatusCancelled}, e.Status.Name) {
				l.errorf(p.v, "status is succeeded, failed, timedOut or cancelled, not %q", e.Status.Name).Hint =
					didYouMean(e.Status.Name, []string{StatusSucceeded, StatusFailed, StatusTimedOut, StatusCancelled})
			}
		case "failed":
			e.Failed = l.ident(p.v, "failed")
		case "error":
			e.Error = l.ident(p.v, "error")
		case "message":
			e.Message = l.ident(p.v, "message")
		case "path":
			e.Path, e.HasPath = l.strList(p.v, "path"), true
		case "steps":
			for _, q := range l.mapping(p.v, "expect.steps", nil) {
				e.Steps = append(e.Steps, &Entry{Key: q.key, KeyPos: l.pos(q.k), Value: l.data(q.v)})
			}
		case "outputs":
			if e.Outputs = l.data(p.v); e.Outputs.Kind != Map {
				l.errorf(p.v, "expect.outputs must be a mapping, not %s", describe(p.v))
				e.Outputs = nil
			}
		case "finding":
			l.mapping(p.v, "expect.finding", testFindingFields)
			e.Finding = l.data(p.v)
		}
	}
	if e.Status.Name == "" && (e.Failed.Name != "" || e.Error.Name != "") {
		e.Status.Name = StatusFailed
	}
	return e
}

// data converts a node into a literal Value: canned data hold no
// expressions, so `${{` is text.
func (l *loader) data(n *yaml.Node) *Value {
	n = deref(n)
	v := &Value{Pos: l.pos(n)}
	switch n.Kind {
	case yaml.MappingNode:
		v.Kind, v.Map = Map, []*Entry{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			v.Map = append(v.Map, &Entry{Key: k.Value, KeyPos: l.pos(k), Value: l.data(n.Content[i+1])})
		}
	case yaml.SequenceNode:
		v.Kind, v.List = List, []*Value{}
		for _, c := range n.Content {
			v.List = append(v.List, l.data(c))
		}
	default:
		literalScalar(n, v)
	}
	return v
}
