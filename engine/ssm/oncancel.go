package ssm

import (
	"fmt"
	"strings"
)

// SSM's onCancel: step:NAME goes to NAME when the execution is cancelled
// while the step runs (the execution then ends cancelled). v1 has no
// per-step cancel handler: a cancel runs only the definition's finally
// steps, which cannot tell a cancel from any other end, nor which step
// was running. So the importer translates the rest of the step and notes
// the handler it leaves out, in the step's description and in
// Result.Notes, which the summary counts.

// onCancelNote is the countable reason of that note.
const onCancelNote = "onCancel: step:NAME not translated (a v1 cancel runs only finally steps, which cannot tell a cancel)"

// onCancel checks the onCancel of s, translated as out, and notes a
// handler v1 cannot run.
func (t *translator) onCancel(s *ssmStep, out []*step) error {
	to, ok := strings.CutPrefix(s.OnCancel, "step:")
	switch {
	case s.OnCancel == "" || strings.EqualFold(s.OnCancel, "Abort"):
		return nil
	case !ok:
		return fmt.Errorf("malformed document: onCancel %q", s.OnCancel)
	}
	if _, err := t.target(strings.TrimSpace(to)); err != nil {
		return err
	}
	t.notes = append(t.notes, Problem{Step: s.Name, Action: s.Action, Reason: onCancelNote, Detail: s.OnCancel})
	out[0].Description = joinText(out[0].Description, "On a cancel during this step SSM goes to "+strings.TrimSpace(to)+"; here a cancel stops the run")
	return nil
}
