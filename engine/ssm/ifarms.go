package ssm

import "strconv"

// layout orders the steps for translation: each converted branch is
// followed by its arms, in the order of its choices. A step whose listed
// successor changes names it (nextStep, or isEnd for the end).
func (t *translator) layout(steps []*ssmStep) []*ssmStep {
	if len(t.conv) == 0 {
		return steps
	}
	byName := map[string]*ssmStep{}
	listed := map[string]string{}
	for i, s := range steps {
		byName[s.Name] = s
		if i+1 < len(steps) {
			listed[s.Name] = steps[i+1].Name
		}
	}
	t.blockEnd = map[string]*ifConv{}
	var out []*ssmStep
	for _, s := range steps {
		if _, ok := t.arm[s.Name]; ok {
			continue
		}
		out = append(out, s)
		c := t.conv[s.Name]
		if c == nil {
			continue
		}
		last := ""
		for _, arm := range c.arms {
			for _, n := range arm {
				out = append(out, byName[n])
				last = n
			}
		}
		if last != "" {
			t.blockEnd[last] = c
		}
	}
	for i, s := range out {
		if s.Action == "aws:branch" || s.NextStep != "" || isTrue(s.IsEnd) {
			continue
		}
		now := ""
		if i+1 < len(out) {
			now = out[i+1].Name
		}
		if was := listed[s.Name]; was != now {
			c := *s
			c.NextStep, c.IsEnd = was, was == ""
			out[i] = &c
		}
	}
	return out
}

// choose writes a converted branch (st, as branch wrote it) as a step
// whose output next names the first step of the chosen arm (or the
// join), "" when no choice holds and there is no default (then it goes
// to the failing step).
func (t *translator) choose(st *step) *step {
	e := `""`
	if st.Default != t.failName() {
		e = strconv.Quote(st.Default)
	}
	for i := len(st.Branch) - 1; i >= 0; i-- {
		r := st.Branch[i]
		e = "(" + r.When + ") ? " + strconv.Quote(r.Goto) + " : (" + e + ")"
	}
	out := &step{Name: st.Name, Log: "aws:branch: the chosen branch's steps run, the others are skipped (output next)", Outputs: outs("next", e)}
	if st.Default == t.failName() {
		out.Branch = []route{{When: "steps." + st.Name + `.next == ""`, Goto: st.Default}}
	}
	return out
}

// onArm skips the steps of out, the translation of arm step s, unless
// their arm was chosen; the arm's last step goes on to the next arm
// (skipped) rather than to the join.
func (t *translator) onArm(s *ssmStep, out []*step) {
	a := t.arm[s.Name]
	cond := "steps." + t.names[a.conv.branch] + ".next == " + strconv.Quote(t.names[a.target])
	for _, st := range out {
		if st.If == "" {
			st.If = cond
		} else {
			st.If = cond + " && (" + st.If + ")"
		}
	}
	if last := out[len(out)-1]; a.last && a.conv.join == "" && last.Default == t.endName() {
		last.Default = ""
	}
}

// armNext is the step after s for routing: the join for an arm's last
// step (nil for the end), else listed.
func (t *translator) armNext(s, listed *ssmStep) *ssmStep {
	a, ok := t.arm[s.Name]
	if !ok || !a.last {
		return listed
	}
	for _, d := range t.doc.MainSteps {
		if d.Name == a.conv.join {
			return d
		}
	}
	return nil
}

// afterBlock is the route to the join after the last step of a converted
// branch's arms, when the join does not follow them (nil when it does).
func (t *translator) afterBlock(s, listed *ssmStep) *step {
	c := t.blockEnd[s.Name]
	if c == nil || listed != nil && listed.Name == c.join || listed == nil && c.join == "" {
		return nil
	}
	if c.join == "" {
		t.needEnd = true
		return t.router("")
	}
	return t.router(t.names[c.join])
}

// armOutput keeps, for a document output of an arm step, the nil-safe
// read without SSM's unresolved text (SSM leaves the output out).
func (t *translator) armOutput(k, expr string) {
	if t.plain == nil {
		t.plain = map[string]string{}
	}
	t.plain[k] = expr
}

// isArm reports whether s is a step on the arm of a converted branch.
func (t *translator) isArm(s *ssmStep) bool {
	_, ok := t.arm[s.Name]
	return ok
}
