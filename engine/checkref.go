package engine

import (
	"cmp"
	"path"
	"slices"
	"sort"
	"strings"
)

var alarmStates = []string{"ALARM", "OK", "INSUFFICIENT_DATA"}

// resolve finds the definition a reference names: the highest version in
// its range among the validated files and the catalog.
func (dc *defCheck) resolve(v *Value) *Definition {
	return dc.resolveKind(v, "runbook")
}

func (dc *defCheck) resolveKind(v *Value, noun string) *Definition {
	r, err := ParseRef(v.Str)
	if err != nil {
		dc.ds.Errorf(v.Pos, "%v", err)
		return nil
	}
	list := dc.byName[r.Name]
	if len(list) == 0 {
		names := make([]string, 0, len(dc.byName))
		for n := range dc.byName {
			names = append(names, n)
		}
		sort.Strings(names)
		dc.ds.Errorf(v.Pos, "no %s named %q in the files validated, --catalog or the built-in library", noun, r.Name).Hint = DidYouMean(r.Name, names)
		return nil
	}
	for i := len(list) - 1; i >= 0; i-- {
		if ver, _ := ParseVersion(list[i].Version.Name); r.Matches(ver) {
			if noun == "runbook" && list[i].Kind.Name != KindRunbook {
				dc.ds.Errorf(v.Pos, "%s is a %s; run and recommend start Runbooks", list[i].ID(), list[i].Kind.Name)
				return nil
			}
			return list[i]
		}
	}
	var versions []string
	for _, d := range list {
		versions = append(versions, d.Version.Name)
	}
	dc.ds.Errorf(v.Pos, "no version of %s matches %q", r.Name, v.Str).Hint = "known versions: " + strings.Join(versions, ", ")
	return nil
}

// ref checks a `run:` or `recommend.run` reference: it resolves, it does
// not lead back to this definition, and the params fit the target's.
func (dc *defCheck) ref(s *Step, v *Value, en *scopeEnv) {
	child := dc.resolve(v)
	params := s.paramsBeside(v)
	dc.templates(params, en)
	if child == nil {
		return
	}
	if dc.reaches(child, dc.d, map[*Definition]bool{}) {
		dc.ds.Errorf(v.Pos, "%s runs %s, which leads back to %s: a cycle of runbooks", dc.d.ID(), child.ID(), dc.d.ID())
		return
	}
	if ds := dc.check(child); ds.HasErrors() {
		dc.ds.Errorf(v.Pos, "%s has errors: %s", child.ID(), ds.Error()).Hint = "run `runbook validate " + child.File + "`"
		return
	}
	s.child = child
	if s.Kind.Runs == RunsChild {
		var fields []*ShapeField
		for _, o := range child.Outputs {
			fields = append(fields, &ShapeField{Name: o.Name.Name, Shape: Any})
		}
		dc.results[s] = Object(fields...) // `result` of the step: the child's outputs
	}
	dc.childParams(child, params, v.Pos)
}

// childParams checks params given to another definition.
func (dc *defCheck) childParams(child *Definition, params *Value, at Pos) {
	given := map[string]bool{}
	var names []string
	byName := map[string]*Param{}
	for _, p := range child.Params {
		names = append(names, p.Name.Name)
		byName[p.Name.Name] = p
	}
	if params != nil && params.Kind != Map {
		dc.ds.Errorf(params.Pos, "params must be a mapping of %s's params", child.ID())
		return
	}
	if params != nil {
		for _, e := range params.Map {
			given[e.Key] = true
			p := byName[e.Key]
			if p == nil {
				dc.ds.Errorf(e.KeyPos, "%s has no param %q", child.ID(), e.Key).Hint = cmp.Or(DidYouMean(e.Key, names), "its params: "+strings.Join(names, ", "))
				continue
			}
			dc.paramArg(p, e.Value)
		}
	}
	for _, p := range child.Params {
		if p.Required() && !given[p.Name.Name] {
			dc.ds.Errorf(at, "%s needs param %s", child.ID(), p.Name.Name).Hint = "add it under params"
		}
	}
}

// paramArg checks one value given for a param: literal values fully, an
// expression by its type.
func (dc *defCheck) paramArg(p *Param, v *Value) {
	if v.IsLiteral() {
		if err := ParamValue(p, v.Data(), nil); err != nil {
			dc.ds.Errorf(v.Pos, "param %s: %v", p.Name.Name, err)
		}
		return
	}
	if v.Tmpl != nil && v.Tmpl.Whole {
		got, want := dc.exprShapes[v.Tmpl.Parts[0].Expr], paramShape(p)
		if got != nil && !assignable(got, want) {
			dc.ds.Errorf(v.Pos, "param %s wants %s, got %s", p.Name.Name, want, got)
		}
	}
}

// assignable reports whether a value of shape got fits where want is
// needed, as far as the checker can tell.
func assignable(got, want *Shape) bool {
	if got.Kind == AnyShape || want.Kind == AnyShape || got.Kind == want.Kind {
		return true
	}
	return got.Kind == IntShape && want.Kind == FloatShape
}

// reaches reports whether from runs (transitively) target.
func (dc *defCheck) reaches(from, target *Definition, seen map[*Definition]bool) bool {
	if from == target {
		return true
	}
	if seen[from] {
		return false
	}
	seen[from] = true
	var walk func([]*Step) bool
	walk = func(steps []*Step) bool {
		for _, s := range steps {
			if s.Kind != nil && s.Kind.Runs == RunsChild && s.Main != nil {
				if r, err := ParseRef(s.Main.Str); err == nil {
					for _, d := range dc.byName[r.Name] {
						if ver, _ := ParseVersion(d.Version.Name); r.Matches(ver) && dc.reaches(d, target, seen) {
							return true
						}
					}
				}
			}
			if walk(s.Steps) {
				return true
			}
		}
		return false
	}
	return walk(from.Steps) || walk(from.Finally)
}

// trigger checks an alarm match and the params it computes.
func (dc *defCheck) trigger(t *Trigger, target *Definition) {
	if t.Alarm != nil {
		if t.Alarm.Kind != String || t.Alarm.Tmpl != nil {
			dc.ds.Errorf(t.Alarm.Pos, "alarm must be a literal name or glob")
		} else if _, err := path.Match(t.Alarm.Str, ""); err != nil {
			dc.ds.Errorf(t.Alarm.Pos, "alarm glob %q is malformed", t.Alarm.Str)
		}
	}
	if t.State != nil && (t.State.Kind != String || !slices.Contains(alarmStates, t.State.Str)) {
		dc.ds.Errorf(t.State.Pos, "state must be ALARM, OK or INSUFFICIENT_DATA").Hint = DidYouMean(t.State.Str, alarmStates)
	}
	en := &scopeEnv{alarm: true, noParams: true}
	given := &Value{Kind: Map}
	for _, p := range t.Params {
		sh := dc.compile(p.Expr, en, wantAny)
		v := &Value{Kind: String, Pos: p.Name.Pos, Tmpl: &Template{Whole: true, Parts: []Part{{Expr: p.Expr}}}}
		dc.exprShapes[p.Expr] = sh
		given.Map = append(given.Map, &Entry{Key: p.Name.Name, KeyPos: p.Name.Pos, Value: v})
	}
	if target != nil {
		dc.childParams(target, given, t.Pos)
	}
}

// routing checks a Routing file's routes.
func (dc *defCheck) routing() {
	dc.params = Object()
	for _, r := range dc.d.Routes {
		var target *Definition
		if r.Run.Name != "" {
			target = dc.resolveAny(&Value{Kind: String, Str: r.Run.Name, Pos: r.Run.Pos})
		}
		dc.trigger(&r.Trigger, target)
	}
}

// resolveAny resolves a route's target, which may be a Playbook too.
func (dc *defCheck) resolveAny(v *Value) *Definition {
	return dc.resolveKind(v, "definition")
}
