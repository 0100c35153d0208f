package engine

import "regexp"

// serviceRE is what a pagerduty target's service may be: a key of the
// worker's routing keys file.
var serviceRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// notifyCheck checks the definition's notify targets: their text fields'
// templates over params, execution and alarm, a pagerduty target's
// literal service and the events it can send.
func (dc *defCheck) notifyCheck() {
	base := &scopeEnv{}
	for _, n := range dc.d.Notify {
		dc.templates(n.Value, base)
		if n.Target != "pagerduty" || n.Value == nil {
			continue
		}
		for _, e := range n.On {
			if e.Name == EventStarted {
				dc.ds.Errorf(e.Pos, "pagerduty does not announce started: it triggers on failed and concluded and resolves on succeeded").Hint = "announce started with sns, http or slack"
			}
		}
		s := n.Value.Field("service")
		switch {
		case s == nil:
		case s.Tmpl != nil:
			dc.ds.Errorf(s.Pos, "pagerduty service is literal: no ${{ }}").Hint = "name the service as the worker's --pagerduty-keys file does"
		case !serviceRE.MatchString(s.Str):
			dc.ds.Errorf(s.Pos, "pagerduty service %q must match %s", s.Str, serviceRE)
		}
	}
}
