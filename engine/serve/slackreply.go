package serve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// refusalOf is why a decision was not recorded, fit to show the person:
// the workflow's refusal (which its worker audits), or what failed.
func refusalOf(err error) string {
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &app):
		return app.Message()
	case errors.As(err, &nf):
		return "no such execution (or it has ended)"
	}
	return "the decision could not be sent to the workflow (" + err.Error() + ")"
}

// slackRefusal logs and counts a refused interaction: the workflow's
// worker audits the refusals it gave; this is the server's record of all.
func (s *Server) slackRefusal(at slackPlace, a engine.SlackAction, action, reason string, more ...any) {
	s.cfg.Metrics.IncHookDeliveries("slack", "refused")
	args := append([]any{"hook", "slack", "slack_user", at.user, "action", action, "execution", a.Execution, "step", a.Step, "request", a.Request, "reason", reason}, more...)
	s.cfg.Logger.Warn("decision refused", args...)
}

// slackRefused refuses a click: logged, counted, and told to the person
// alone (an ephemeral message); nothing changed.
func (s *Server) slackRefused(ctx context.Context, at slackPlace, a engine.SlackAction, action, reason string) {
	s.slackRefusal(at, a, action, reason)
	s.slackEphemeral(ctx, at, "Refused: "+reason+". Nothing changed.")
}

// slackFormRefused refuses an answer form's submission: logged, counted,
// and the form replaced by the reason; nothing changed.
func (s *Server) slackFormRefused(at slackPlace, a engine.SlackAction, reason string) *slack.ViewSubmissionResponse {
	s.slackRefusal(at, a, engine.SlackAnswer, reason)
	return slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type: slack.VTModal, Title: plainText("Refused"), Close: plainText("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{mrkdwnSection("Refused: " + reason + ". Nothing changed.")}},
	})
}

// slackEphemeral tells the person at at something only they see.
func (s *Server) slackEphemeral(ctx context.Context, at slackPlace, text string) {
	if at.channel == "" || at.user == "" {
		return
	}
	if _, err := s.slack.PostEphemeralContext(ctx, at.channel, at.user, slack.MsgOptionText(text, false)); err != nil {
		s.cfg.Logger.Warn("slack: chat.postEphemeral failed", "channel", at.channel, "slack_user", at.user, "error", err)
	}
}

// slackDecided updates the step's message to say who did what: while an
// approval needs more approvals, its message (original) with a line
// added; else the request, closed, without buttons.
func (s *Server) slackDecided(ctx context.Context, at slackPlace, step string, a *engine.Approval, identity string, original slack.Blocks) {
	if at.channel == "" || at.ts == "" {
		return
	}
	var d *engine.Decision
	for _, x := range slices.Backward(a.Decisions) {
		if x.Identity == identity {
			d = x
			break
		}
	}
	if d == nil {
		return
	}
	line := decidedLine(a, d)
	blocks := append(slices.Clone(original.BlockSet), slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, line, false, false)))
	if !stillOpen(a, d) || len(original.BlockSet) == 0 {
		blocks = []slack.Block{
			slack.NewHeaderBlock(plainText(clipText(a.Runbook+" step "+step, 150))),
			mrkdwnSection(slackEscape(a.Message)),
			slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, line, false, false)),
		}
	}
	_, _, _, err := s.slack.UpdateMessageContext(ctx, at.channel, at.ts, slack.MsgOptionText(line, false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		s.cfg.Logger.Warn("slack: chat.update failed; the decision is recorded", "channel", at.channel, "ts", at.ts, "error", err)
	}
}

// stillOpen reports whether an approval waits for more approvals after d.
func stillOpen(a *engine.Approval, d *engine.Decision) bool {
	return a.Kind == "" && d.Decision == engine.UpdateApprove && approvals(a) < a.MinApprovals
}

// approvals counts an approval's approve decisions.
func approvals(a *engine.Approval) int {
	n := 0
	for _, x := range a.Decisions {
		if x.Decision == engine.UpdateApprove {
			n++
		}
	}
	return n
}

// decidedLine says who did what, when.
func decidedLine(a *engine.Approval, d *engine.Decision) string {
	who := slackEscape(d.Identity)
	at := d.Time.UTC().Format(time.RFC3339)
	switch d.Decision {
	case engine.UpdateReject:
		return fmt.Sprintf(":x: Rejected by *%s* at %s.", who, at)
	case engine.UpdateDone:
		line := fmt.Sprintf(":white_check_mark: Done by *%s* at %s.", who, at)
		if len(d.Checked) > 0 {
			line += " Confirmed: " + slackEscape(strings.Join(d.Checked, "; ")) + "."
		}
		return line
	case engine.UpdateAnswer:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(d.Answer)) {
			parts = append(parts, fmt.Sprintf("%s=%v", k, d.Answer[k]))
		}
		return fmt.Sprintf(":white_check_mark: Answered by *%s* at %s: %s", who, at, slackEscape(strings.Join(parts, ", ")))
	}
	line := fmt.Sprintf(":white_check_mark: Approved by *%s* at %s.", who, at)
	if a.MinApprovals > 1 {
		line += fmt.Sprintf(" (%d of %d approvals)", approvals(a), a.MinApprovals)
	}
	return line
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func mrkdwnSection(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clipText(s, 3000), false, false), nil, nil)
}

// clipText cuts s to max characters, marking the cut.
func clipText(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// slackEscape escapes what Slack's mrkdwn gives meaning to: &, < and >.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
