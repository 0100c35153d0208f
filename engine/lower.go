package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Lower turns a checked definition into its Plan. It assumes Check found
// no errors.
func Lower(d *Definition) *Plan {
	p := &Plan{
		APIVersion:  d.APIVersion.Name,
		Kind:        d.Kind.Name,
		Name:        d.Name.Name,
		Version:     d.Version.Name,
		Description: d.Description,
		Owner:       d.Owner,
		Tags:        d.Tags,
		Source:      d.Pos,
		Timeout:     durationValue(d.Timeout),
		Region:      d.Region,
		AssumeRole:  d.AssumeRole,
		Lock:        d.Lock,
		TaskQueue:   d.TaskQueue.Name,
		Steps:       lowerSteps(d.Steps),
		Finally:     lowerSteps(d.Finally),
		Outputs:     lowerOutputs(d.Outputs),
	}
	if d.Start != nil {
		p.Start = d.Start.Name
	}
	for _, s := range d.Starters {
		p.Starters = append(p.Starters, s.Name)
	}
	for _, s := range d.Cancellers {
		p.Cancellers = append(p.Cancellers, s.Name)
	}
	for _, pr := range d.Params {
		p.Params = append(p.Params, lowerParam(pr))
	}
	for _, t := range d.Triggers {
		p.Triggers = append(p.Triggers, lowerTrigger(t))
	}
	for _, r := range d.Routes {
		lr := lowerTrigger(&r.Trigger)
		lr.Run, lr.Cooldown = r.Run.Name, durationValue(r.Cooldown)
		p.Routes = append(p.Routes, lr)
	}
	for _, n := range d.Notify {
		pn := &PlanNotify{Target: n.Target, Value: n.Value, On: NotifyDefaults(d.Kind.Name, n.Target)}
		if n.On != nil {
			pn.On = nil
			for _, e := range n.On {
				pn.On = append(pn.On, e.Name)
			}
		}
		p.Notify = append(p.Notify, pn)
	}
	p.Digest = Digest(p)
	return p
}

func lowerParam(pr *Param) *PlanParam {
	lp := &PlanParam{
		Name: pr.Name.Name, Type: pr.Type.Name, Required: pr.Required(),
		Min: pr.Min, Max: pr.Max, Secret: pr.Secret, Description: pr.Description,
	}
	if pr.Items != nil {
		lp.Items = pr.Items.Name
	}
	if pr.Default != nil {
		lp.Default = pr.Default.Data()
	}
	for _, e := range pr.Enum {
		lp.Enum = append(lp.Enum, e.Data())
	}
	if pr.Pattern != nil {
		lp.Pattern = pr.Pattern.Str
	}
	return lp
}

func lowerTrigger(t *Trigger) *PlanRoute {
	return &PlanRoute{Alarm: t.Alarm, State: t.State, Account: t.Account, Region: t.Region, Params: lowerOutputs(t.Params)}
}

func lowerSteps(steps []*Step) []*PlanStep {
	var out []*PlanStep
	for i, s := range steps {
		ps := &PlanStep{
			Name: s.Name.Name, Pos: s.Pos, Description: s.Description, If: s.If,
			Timeout: durationValue(s.Timeout), Outputs: lowerOutputs(s.Outputs),
			Region: s.Region, AssumeRole: s.AssumeRole, MaxVisits: s.MaxVisits,
			Main: s.Main, Args: s.Args, Steps: lowerSteps(s.Steps),
		}
		if s.Kind != nil {
			ps.Kind = s.Kind.Name
		}
		for _, f := range s.Fields {
			ps.Fields = append(ps.Fields, lowerParam(f))
		}
		if s.child != nil {
			ps.Child = Lower(s.child)
		}
		if s.op != nil {
			ps.ReadOnly, ps.Idempotent = s.op.ReadOnly, TokenField(s.op.Input) != ""
		}
		if i+1 < len(steps) {
			ps.Next = steps[i+1].Name.Name
		}
		if r := s.Retry; r != nil {
			ps.Retry = &PlanRetry{MaxAttempts: r.MaxAttempts, Interval: durationValue(r.Interval), Backoff: r.Backoff}
		}
		if f := s.OnFailure; f != nil {
			ps.OnFailure = f.Action
			if f.Action == "goto" {
				ps.OnFailure = "goto:" + f.Goto.Name
			}
		}
		for _, b := range s.Branch {
			ps.Branch = append(ps.Branch, &PlanBranch{When: b.When, Goto: b.Goto.Name})
		}
		if s.Default != nil {
			ps.Default = s.Default.Name
		}
		out = append(out, ps)
	}
	return out
}

func lowerOutputs(os []*Output) []*PlanOutput {
	var out []*PlanOutput
	for _, o := range os {
		out = append(out, &PlanOutput{Name: o.Name.Name, Expr: o.Expr, Type: o.Shape, Secret: o.Secret})
	}
	return out
}

func durationValue(d *Duration) *Value {
	if d == nil {
		return nil
	}
	if d.Expr != nil {
		return &Value{Kind: String, Pos: d.Pos, Tmpl: d.Expr}
	}
	return &Value{Kind: String, Pos: d.Pos, Str: FormatDuration(d.D)}
}

// Digest is the SHA-256 of the plan's content: its JSON without the
// digest itself and without source positions, so that reformatting or
// commenting a definition keeps its digest.
func Digest(p *Plan) string {
	c := *p
	c.Digest = ""
	raw, _ := json.Marshal(&c)
	var tree any
	_ = json.Unmarshal(raw, &tree)
	raw, _ = json.Marshal(stripPos(tree))
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func stripPos(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "pos" || k == "keyPos" || k == "source" {
				delete(x, k)
				continue
			}
			x[k] = stripPos(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stripPos(e)
		}
	}
	return v
}
