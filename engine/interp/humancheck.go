package interp

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// StepKindOf is the kind of human step an update acts on (the
// Approval.Kind: "" for approve and reject) and how its wait is said
// ("for approval", "to be marked done", "for an answer").
func StepKindOf(update string) (kind, waiting string) {
	switch update {
	case engine.UpdateDone:
		return "manual", "to be marked done"
	case engine.UpdateAnswer:
		return "ask", "for an answer"
	}
	return "", "for approval"
}

// describeKind names a human step's kind in a sentence.
func describeKind(kind string) string {
	switch kind {
	case "manual":
		return "a manual step"
	case "ask":
		return "a question"
	}
	return "an approve step"
}

// actHint says how to act on a human step of the kind.
func actHint(kind string) string {
	switch kind {
	case "manual":
		return "mark it done with `runbook done`"
	case "ask":
		return "answer it with `runbook answer`"
	}
	return "decide it with `runbook approve` or `runbook reject`"
}

// checkTask refuses a done or an answer that may not count: by someone
// not assigned, for a step already done, a checklist not confirmed item
// by item, an answer that does not fit the fields. It returns the
// answer, typed.
func (it *interp) checkTask(kind string, w *wait, d engine.Decision) (map[string]any, error) {
	a := w.rec.Approval
	switch {
	case d.Identity == "":
		return nil, fmt.Errorf("a decision needs an identity")
	case w.done != nil:
		return nil, fmt.Errorf("step %s was already %s by %s at %s", w.rec.Name, pastOf(kind), w.done.Identity, w.done.Time.UTC().Format(time.RFC3339))
	case len(a.Approvers) > 0 && !Matches(a.Approvers, d.Identity, d.Groups):
		return nil, fmt.Errorf("%s is not among those who may act on step %s (%s)", d.Identity, w.rec.Name, strings.Join(a.Approvers, ", "))
	}
	if kind == engine.UpdateAnswer {
		answer, err := engine.CheckAnswer(a.Fields, d.Answer)
		if err != nil {
			return nil, fmt.Errorf("the answer to step %s does not fit its fields:\n%v", w.rec.Name, err)
		}
		return answer, nil
	}
	var missing, unknown []string
	for _, c := range a.Checklist {
		if !slices.Contains(d.Checked, c) {
			missing = append(missing, c)
		}
	}
	for _, c := range d.Checked {
		if !slices.Contains(a.Checklist, c) {
			unknown = append(unknown, c)
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, fmt.Errorf("step %s's checklist has no item %q", w.rec.Name, unknown[0])
	case len(missing) > 0:
		return nil, fmt.Errorf("step %s is done only when every checklist item is confirmed; not confirmed: %s", w.rec.Name, strings.Join(missing, "; "))
	}
	return nil, nil
}

func pastOf(kind string) string {
	if kind == engine.UpdateAnswer {
		return "answered"
	}
	return "marked done"
}

// mayAct reports whether identity, with its groups, may still act on a
// manual or ask step: listed (or no list), and nobody has acted yet.
func mayAct(a *engine.Approval, identity string, groups []string) bool {
	return len(a.Decisions) == 0 && (len(a.Approvers) == 0 || Matches(a.Approvers, identity, groups))
}
