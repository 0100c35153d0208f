package casetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/runbook-dev/runbook/engine"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"gopkg.in/yaml.v3"
)

// Recording is a test case written from an execution's history: the
// plan the execution ran, the case (a YAML mapping, for a test file's
// cases list) and notes on what it could not record.
type Recording struct {
	Plan  *engine.Plan
	Case  *yaml.Node
	Notes []string
}

// History returns the history of execution id.
type History func(ctx context.Context, id string) (*historypb.History, error)

// Record writes a test case from the history of execution id (and of
// the child executions its run steps started): its params and requester;
// each activity's result as the step's outputs (what the history records:
// the raw result never enters it), or its error; each accepted decision,
// at its time after the step began waiting; and the outcome as expect.
// Refused decisions leave no trace in a history and are not recorded.
func Record(ctx context.Context, id string, history History) (*Recording, error) {
	rec := &recorder{ctx: ctx, history: history, calls: map[string][]*yaml.Node{}}
	in, out, err := rec.execution(id, true)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("execution %s has not ended: record it once it has", id)
	}
	c := &yaml.Node{Kind: yaml.MappingNode}
	ySet(c, "name", yNode("recorded from "+id))
	if len(in.Params) > 0 {
		ySet(c, "params", yNode(in.Params))
	}
	if in.StartedBy != "" && in.StartedBy != "tester" {
		ySet(c, "requester", yNode(in.StartedBy))
	}
	if in.Alarm != nil {
		ySet(c, "alarm", yNode(in.Alarm))
	}
	if len(rec.order) > 0 {
		calls := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range rec.order {
			rs := rec.calls[k]
			if len(rs) == 1 {
				ySet(calls, k, rs[0])
			} else {
				ySet(calls, k, &yaml.Node{Kind: yaml.SequenceNode, Content: rs})
			}
		}
		ySet(c, "calls", calls)
	}
	if len(rec.approvals) > 0 {
		ySet(c, rec.peopleKey(), &yaml.Node{Kind: yaml.SequenceNode, Content: rec.approvals})
	}
	ySet(c, "expect", expectOf(out))
	return &Recording{Plan: in.Plan, Case: c, Notes: append(rec.notes, redactSecrets(c, in)...)}, nil
}

// redactSecrets replaces the values of in's secret params, wherever they
// appear in the case c, with engine.Redacted: a test file is no place
// for them. It returns a note naming them.
func redactSecrets(c *yaml.Node, in *engine.Input) []string {
	var red engine.Redactor
	secret := engine.SecretParams(in.Plan)
	var names []string
	for k, v := range in.Params {
		if secret(k) {
			red.Add(v)
			names = append(names, k)
		}
	}
	if !red.Known() {
		return nil
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			n.Value = red.Text(n.Value)
		}
		for _, k := range n.Content {
			walk(k)
		}
	}
	walk(c)
	slices.Sort(names)
	return []string{fmt.Sprintf("secret params (%s) are recorded as %s: give the case values of its own", strings.Join(names, ", "), engine.Redacted)}
}

// recorder gathers the canned responses and decisions of an execution
// and its children, in the order they happened.
type recorder struct {
	ctx       context.Context
	history   History
	order     []string
	calls     map[string][]*yaml.Node
	approvals []*yaml.Node
	people    bool // a done or an answer is among the approvals
	notes     []string
}

// execution records the history of id and returns its input and, when
// it has ended, its outcome.
func (r *recorder) execution(id string, root bool) (*engine.Input, *engine.Outcome, error) {
	h, err := r.history(r.ctx, id)
	if err != nil {
		return nil, nil, err
	}
	dc := converter.GetDefaultDataConverter()
	var in engine.Input
	scheduled := map[int64]engine.Call{}
	accepted := map[int64]*historypb.HistoryEvent{}
	var out *engine.Outcome
	for _, e := range h.GetEvents() {
		switch e.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			if err := dc.FromPayloads(e.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in); err != nil || in.Plan == nil {
				return nil, nil, fmt.Errorf("execution %s is no runbook execution: %v", id, err)
			}
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			a := e.GetActivityTaskScheduledEventAttributes()
			var c engine.Call
			if strings.HasSuffix(a.GetActivityId(), "#notify") || dc.FromPayloads(a.GetInput(), &c) != nil {
				continue
			}
			scheduled[e.GetEventId()] = c
		case enums.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			a := e.GetActivityTaskCompletedEventAttributes()
			if c, ok := scheduled[a.GetScheduledEventId()]; ok {
				var res engine.CallResult
				_ = dc.FromPayloads(a.GetResult(), &res)
				r.add(c.Step, outputsResponse(c, res))
			}
		case enums.EVENT_TYPE_ACTIVITY_TASK_FAILED, enums.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			f := e.GetActivityTaskFailedEventAttributes().GetFailure()
			sid := e.GetActivityTaskFailedEventAttributes().GetScheduledEventId()
			code, msg := f.GetApplicationFailureInfo().GetType(), f.GetMessage()
			if e.GetEventType() == enums.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT {
				sid, code, msg = e.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId(), "Timeout", "the step timed out"
			}
			if c, ok := scheduled[sid]; ok {
				if code == "" {
					code = "Error"
				}
				r.add(c.Step, errorResponse(code, strings.TrimPrefix(msg, code+": ")))
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			accepted[e.GetEventId()] = e
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			a := e.GetWorkflowExecutionUpdateCompletedEventAttributes()
			r.approval(accepted[a.GetAcceptedEventId()], a.GetOutcome().GetSuccess(), a.GetOutcome().GetFailure() != nil)
		case enums.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			a := e.GetStartChildWorkflowExecutionInitiatedEventAttributes()
			if a.GetParentClosePolicy() == enums.PARENT_CLOSE_POLICY_ABANDON {
				continue // a recommended runbook: the test does not run it
			}
			if _, _, err := r.execution(a.GetWorkflowId(), false); err != nil {
				r.notes = append(r.notes, fmt.Sprintf("child execution %s not recorded: %v", a.GetWorkflowId(), err))
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			out = &engine.Outcome{}
			_ = dc.FromPayloads(e.GetWorkflowExecutionCompletedEventAttributes().GetResult(), out)
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
			out = &engine.Outcome{}
			f := e.GetWorkflowExecutionFailedEventAttributes().GetFailure()
			if dc.FromPayloads(f.GetApplicationFailureInfo().GetDetails(), out) != nil {
				out = &engine.Outcome{Status: engine.StatusFailed, Error: &engine.StepError{Type: f.GetApplicationFailureInfo().GetType(), Message: f.GetMessage()}}
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
			out = &engine.Outcome{}
			if dc.FromPayloads(e.GetWorkflowExecutionCanceledEventAttributes().GetDetails(), out) != nil {
				out = &engine.Outcome{Status: engine.StatusCancelled}
			}
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, enums.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
			return nil, nil, errors.New("execution " + id + " was terminated or timed out by Temporal: its outcome is not recorded")
		}
	}
	return &in, out, nil
}

func (r *recorder) add(step string, resp *yaml.Node) {
	if _, ok := r.calls[step]; !ok {
		r.order = append(r.order, step)
	}
	r.calls[step] = append(r.calls[step], resp)
}
