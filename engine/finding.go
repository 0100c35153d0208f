package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Finding is how a playbook concluded: the node, what it found and how
// bad, the conditions that routed there with the values they saw, and the
// recommended runbook.
type Finding struct {
	Node      string          `json:"node"`
	Finding   string          `json:"finding"`
	Severity  string          `json:"severity"`
	Evidence  []*Evidence     `json:"evidence,omitempty"`
	Recommend *Recommendation `json:"recommend,omitempty"`
}

// Evidence is one routing condition a playbook evaluated: where, its
// source, what it gave and the values it read.
type Evidence struct {
	Node      string         `json:"node"`
	Condition string         `json:"condition"` // a branch's when, or "default"
	Result    bool           `json:"result"`
	Values    map[string]any `json:"values,omitempty"` // steps.X.Y, params.P, alarm.F as read
}

// Recommendation is the runbook a finding recommends, pinned: the command
// that launches it or, with auto, the child execution launched.
type Recommendation struct {
	Run       string         `json:"run"` // NAME@VERSION
	Params    map[string]any `json:"params,omitempty"`
	Auto      bool           `json:"auto,omitempty"`
	Command   string         `json:"command"`
	Execution string         `json:"execution,omitempty"` // the child launched (auto)
	Error     string         `json:"error,omitempty"`     // why it was not launched
}

// Text writes f for people: its severity, node and text, the conditions
// that routed there with the values they read (with evidence), the path
// taken, and the recommendation: the command that launches it, or the
// execution launched. The CLI and the timeline write findings so.
func (f *Finding) Text(w io.Writer, path []string, evidence bool) {
	fmt.Fprintf(w, "finding (%s, node %s): %s\n", f.Severity, f.Node, f.Finding)
	for _, e := range f.Evidence {
		if !evidence {
			break
		}
		line := fmt.Sprintf("  because at %s: %s is %v", e.Node, e.Condition, e.Result)
		if len(e.Values) > 0 {
			line += " (" + Pairs(e.Values) + ")"
		}
		fmt.Fprintln(w, line)
	}
	if len(path) > 0 {
		fmt.Fprintf(w, "  path: %s\n", strings.Join(path, " → "))
	}
	switch r := f.Recommend; {
	case r == nil:
	case r.Execution != "":
		fmt.Fprintf(w, "  recommended %s launched: %s\n", r.Run, r.Execution)
	case r.Error != "":
		fmt.Fprintf(w, "  recommended %s not launched: %s\n    %s\n", r.Run, r.Error, r.Command)
	default:
		fmt.Fprintf(w, "  recommended: %s\n", r.Command)
	}
}

// MaxShown is the most characters of one value Pairs shows.
const MaxShown = 200

// Pairs is m as K=V pairs in key order, for people: strings as they are,
// other values as JSON, each on one line and cut to MaxShown characters.
func Pairs(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v, ok := m[k].(string)
		if !ok {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(m[k])
			v = strings.TrimSuffix(b.String(), "\n")
		}
		parts[i] = k + "=" + OneLine(v)
	}
	return strings.Join(parts, " ")
}

// OneLine keeps s on one line (line breaks as \n) and to MaxShown
// characters.
func OneLine(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r", `\r`), "\n", `\n`)
	if utf8.RuneCountInString(s) <= MaxShown {
		return s
	}
	return string([]rune(s)[:MaxShown-1]) + "…"
}
