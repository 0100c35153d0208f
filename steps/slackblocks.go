package steps

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/runbook-dev/runbook/engine"
)

// Slack's limits on what a block holds.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
)

// slackBlocks is a notice as Block Kit blocks: a human step's wait with
// its buttons, or an execution's event.
func slackBlocks(n engine.SlackNotice) []slack.Block {
	if n.Approval == nil {
		return eventBlocks(n)
	}
	a := n.Approval
	title := map[string]string{"": "Approval needed", "manual": "Action needed", "ask": "Question"}[a.Kind]
	if a.Reminders > 0 {
		title = fmt.Sprintf("Reminder %d: %s", a.Reminders, strings.ToLower(title))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(clip(fmt.Sprintf("%s: %s step %s", title, n.Runbook, n.Step), slackHeaderMax))),
		section(mrkdwnEscape(a.Message)),
	}
	if len(a.Links) > 0 {
		var b strings.Builder
		for _, l := range a.Links {
			fmt.Fprintf(&b, "<%s|%s>\n", mrkdwnEscape(l.URL), strings.ReplaceAll(mrkdwnEscape(l.Title), "|", "¦"))
		}
		blocks = append(blocks, section(b.String()))
	}
	if len(a.Checklist) > 0 {
		var b strings.Builder
		b.WriteString("*Checklist* (Done confirms every item):\n")
		for _, c := range a.Checklist {
			fmt.Fprintf(&b, "☐ %s\n", mrkdwnEscape(c))
		}
		blocks = append(blocks, section(b.String()))
	}
	if len(a.Fields) > 0 {
		var b strings.Builder
		b.WriteString("*Fields*:\n")
		for _, f := range a.Fields {
			fmt.Fprintf(&b, "• `%s` (%s) %s\n", f.Name, f.Type, mrkdwnEscape(f.Description))
		}
		blocks = append(blocks, section(b.String()))
	}
	blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, waitContext(n), false, false)))
	if n.URL != "" {
		blocks = append(blocks, section(fmt.Sprintf("<%s|Open the execution>", mrkdwnEscape(n.URL))))
	}
	return append(blocks, slack.NewActionBlock("runbook.actions", buttons(n)...))
}

// waitContext says whose action the step waits for, until when, and
// what it is: runbook, execution, request.
func waitContext(n engine.SlackNotice) string {
	a := n.Approval
	who, what := a.Who(), a.Awaits()
	return mrkdwnEscape(fmt.Sprintf("Execution %s of %s waits for %s from %s until %s (request %s).",
		n.Execution, n.Runbook, what, who, a.Deadline.UTC().Format(time.RFC3339), a.Request))
}

// buttons act on the step: each value binds the action to the request
// shown (engine.SlackAction).
func buttons(n engine.SlackNotice) []slack.BlockElement {
	a := n.Approval
	value := engine.SlackAction{Execution: n.Execution, Step: n.Step, Request: a.Request}.Encode()
	switch a.Kind {
	case "manual":
		confirm := "Mark step " + n.Step + " done."
		if len(a.Checklist) > 0 {
			confirm = "Mark step " + n.Step + " done, confirming each item: " + strings.Join(a.Checklist, "; ")
		}
		done := slack.NewButtonBlockElement(engine.SlackDone, value, plain("Done")).WithStyle(slack.StylePrimary).
			WithConfirm(slack.NewConfirmationBlockObject(plain("Done?"), plain(clip(confirm, 300)), plain("Done"), plain("Not yet")))
		return []slack.BlockElement{done}
	case "ask":
		return []slack.BlockElement{slack.NewButtonBlockElement(engine.SlackAnswer, value, plain("Answer")).WithStyle(slack.StylePrimary)}
	}
	return []slack.BlockElement{
		slack.NewButtonBlockElement(engine.SlackApprove, value, plain("Approve")).WithStyle(slack.StylePrimary),
		slack.NewButtonBlockElement(engine.SlackReject, value, plain("Reject")).WithStyle(slack.StyleDanger).
			WithConfirm(slack.NewConfirmationBlockObject(plain("Reject?"), plain("Reject step "+n.Step+": the step fails."), plain("Reject"), plain("Cancel"))),
	}
}

// eventBlocks is an execution's event: what happened to which runbook,
// the finding or the error, and the link.
func eventBlocks(n engine.SlackNotice) []slack.Block {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* %s: execution `%s`", mrkdwnEscape(n.Runbook), mrkdwnEscape(n.Event), mrkdwnEscape(n.Execution))
	if n.Step != "" {
		fmt.Fprintf(&b, ", at step `%s`", mrkdwnEscape(n.Step))
	}
	if f := n.Finding; f != nil {
		fmt.Fprintf(&b, "\n*Finding* (%s, at %s): %s", mrkdwnEscape(f.Severity), mrkdwnEscape(f.Node), mrkdwnEscape(f.Finding))
		if f.Recommend != nil {
			fmt.Fprintf(&b, "\n*Recommended*: %s", mrkdwnEscape(f.Recommend.Run))
		}
	}
	if n.Error != "" {
		fmt.Fprintf(&b, "\n*Error*: %s", mrkdwnEscape(n.Error))
	}
	if n.Text != "" && n.Finding == nil && n.Error == "" {
		fmt.Fprintf(&b, "\n%s", mrkdwnEscape(n.Text))
	}
	blocks := []slack.Block{section(b.String())}
	if n.URL != "" {
		blocks = append(blocks, section(fmt.Sprintf("<%s|Open the execution>", mrkdwnEscape(n.URL))))
	}
	return blocks
}

// slackText is a notice's plain text: the fallback of notifications.
func slackText(n engine.SlackNotice) string {
	if n.Text != "" {
		return n.Text
	}
	if n.Event != "" {
		return fmt.Sprintf("%s %s: execution %s", n.Runbook, n.Event, n.Execution)
	}
	return fmt.Sprintf("%s waits at step %s (execution %s)", n.Runbook, n.Step, n.Execution)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func section(mrkdwn string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, clip(mrkdwn, slackSectionMax), false, false), nil, nil)
}

// clip cuts s to max characters, marking the cut.
func clip(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// mrkdwnEscape escapes the three characters Slack's mrkdwn gives meaning
// to: &, < and >.
func mrkdwnEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
