package serve

import (
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// Catalog is what the server runs: the definitions it may start and the
// routes of the routing files. SIGHUP replaces it whole.
type Catalog struct {
	Plans  []*engine.Plan // definitions; Routing files' plans hold Routes
	Routes []*engine.PlanRoute
}

// Target is one definition an alarm starts, with its params.
type Target struct {
	Plan   *engine.Plan
	Params map[string]any
	// Route is the route or trigger that matched, for cooldowns.
	Route *engine.PlanRoute
}

// Find returns the plan NAME[@VERSION-OR-RANGE] names: the highest
// matching version.
func (c *Catalog) Find(ref string) (*engine.Plan, error) {
	r, err := engine.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var best *engine.Plan
	var bestV engine.Version
	for _, p := range c.Plans {
		if p.Name != r.Name || p.Kind == engine.KindRouting {
			continue
		}
		v, err := engine.ParseVersion(p.Version)
		if err != nil || !r.Matches(v) {
			continue
		}
		if best == nil || bestV.Less(v) {
			best, bestV = p, v
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no definition %s", ref)
	}
	return best, nil
}

// Match returns the definitions alarm a starts: those whose triggers
// match it, then the routing files' routes, one target per definition
// (the first match wins). A route whose params do not evaluate or check is
// reported in errs and skipped.
func (c *Catalog) Match(a *Alarm) (targets []Target, errs []error) {
	seen := map[string]bool{}
	env := map[string]any{"alarm": a.Data()}
	add := func(p *engine.Plan, r *engine.PlanRoute) {
		if seen[p.Name] || !matches(r, a) {
			return
		}
		params, err := engine.EvalOutputs(r.Params, env, time.Now)
		if err == nil {
			params, err = engine.CheckParams(p, params)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s@%s: %w", p.Name, p.Version, err))
			return
		}
		seen[p.Name] = true
		targets = append(targets, Target{Plan: p, Params: params, Route: r})
	}
	for _, p := range c.latest() {
		for _, t := range p.Triggers {
			add(p, t)
		}
	}
	for _, r := range c.Routes {
		p, err := c.Find(r.Run)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(p, r)
	}
	return targets, errs
}

// latest keeps the highest version of each definition: only it answers
// triggers.
func (c *Catalog) latest() []*engine.Plan {
	var out []*engine.Plan
	for _, p := range c.Plans {
		if best, err := c.Find(p.Name); err == nil && best == p {
			out = append(out, p)
		}
	}
	return out
}

// matches reports whether route r selects alarm a: its alarm name glob,
// state (ALARM when unset), account and region.
func matches(r *engine.PlanRoute, a *Alarm) bool {
	if r.Alarm != nil && !globMatch(r.Alarm.Str, a.Name) {
		return false
	}
	state := "ALARM"
	if r.State != nil {
		state = r.State.Str
	}
	return a.State == state && literal(r.Account, a.Account) && literal(r.Region, a.Region)
}

// globMatch reports whether alarm name matches glob, in path.Match's
// syntax except that "*" and "?" match "/" too: alarm names may hold one
// (AWS's auto-scaling alarms are "TargetTracking-table/NAME-AlarmHigh-..."),
// and a glob of alarm names is not one of paths.
func globMatch(glob, name string) bool {
	ok, _ := path.Match(strings.ReplaceAll(glob, "/", "\x00"), strings.ReplaceAll(name, "/", "\x00"))
	return ok
}

func literal(v *engine.Value, got string) bool {
	return v == nil || v.Str == got
}

// cooldowns remembers when each route last started its definition for
// each alarm, so a flapping alarm starts it at most once per cooldown. It
// lives in memory: a restart forgets it.
type cooldowns struct {
	mu   sync.Mutex
	last map[string]cooled
}

type cooled struct {
	at    time.Time // when it started
	alarm time.Time // the state change it started for
}

// allow reports whether target t may start now for alarm a, and if so
// records the start. The same episode, or an older one redelivered late,
// is always allowed and records nothing: its workflow ID answers with the
// execution it started.
func (c *cooldowns) allow(t Target, a *Alarm, now time.Time) bool {
	if t.Route == nil || t.Route.Cooldown == nil {
		return true
	}
	d, err := engine.ParseDuration(t.Route.Cooldown.Str)
	if err != nil || d <= 0 {
		return true
	}
	key := t.Plan.Name + "|" + a.ARN
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		c.last = map[string]cooled{}
	}
	prev, ok := c.last[key]
	switch {
	case ok && !a.Time.After(prev.alarm):
		return true // this episode or an older one, redelivered: its ID answers
	case ok && now.Sub(prev.at) < d:
		return false
	}
	c.last[key] = cooled{at: now, alarm: a.Time}
	return true
}
