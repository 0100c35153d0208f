package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// WithSlack lets the slack activity post as the Slack app whose bot token
// is token, through Slack's Web API at apiURL ("": https://slack.com/api/;
// tests point it at a server of their own).
func WithSlack(token, apiURL string) ActivitiesOption {
	return func(a *Activities) {
		opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second})}
		if apiURL != "" {
			opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(apiURL, "/")+"/"))
		}
		a.slack = slack.New(token, opts...)
	}
}

// ErrNoSlack is the slack activity's failure on a worker started without
// a Slack bot token.
var ErrNoSlack = errors.New("this worker has no Slack bot token: start it with --slack-token-file FILE (a file holding the Slack app's xoxb- token)")

// Slack posts a notice to its channel (or, given TS, updates the message
// posted at TS): a human step's wait with the buttons that act on it, or
// an execution's event. It fails, without retries, on a worker without a
// Slack token and on what Slack refuses (an unknown channel, a revoked
// token); it is retried when Slack limits its rate or cannot be reached.
func (a *Activities) Slack(ctx context.Context, n engine.SlackNotice) (engine.SlackPosted, error) {
	if a.slack == nil {
		return engine.SlackPosted{}, temporal.NewNonRetryableApplicationError(ErrNoSlack.Error(), "SlackNotConfigured", nil)
	}
	if n.Channel == "" {
		return engine.SlackPosted{}, temporal.NewNonRetryableApplicationError("the Slack notice names no channel", "SlackNoChannel", nil)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(slackText(n), false), slack.MsgOptionBlocks(slackBlocks(n)...)}
	var channel, ts string
	var err error
	method := "chat.postMessage"
	if n.TS != "" {
		method = "chat.update"
		channel, ts, _, err = a.slack.UpdateMessageContext(ctx, n.Channel, n.TS, opts...)
	} else {
		channel, ts, err = a.slack.PostMessageContext(ctx, n.Channel, opts...)
	}
	if err != nil {
		return engine.SlackPosted{}, slackFailure(method, err)
	}
	return engine.SlackPosted{Channel: channel, TS: ts}, nil
}

// slackFailure is the activity's error for what Slack answered: an error
// Slack gave (channel_not_found, invalid_auth, ...) is final; a rate
// limit is retried after the delay Slack asks; anything else (the network,
// Slack's 5xx) is retried by the activity's policy.
func slackFailure(method string, err error) error {
	var slackErr slack.SlackErrorResponse
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	switch {
	case errors.As(err, &limited):
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("Slack %s: rate limited", method), "SlackRateLimited",
			temporal.ApplicationErrorOptions{NextRetryDelay: limited.RetryAfter})
	case errors.As(err, &slackErr):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("Slack %s: %s%s", method, slackErr.Err, slackHint(slackErr.Err)), "SlackError", nil)
	case errors.As(err, &status) && !status.Retryable():
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("Slack %s: %s", method, status.Status), "SlackError", nil)
	}
	return temporal.NewApplicationError(fmt.Sprintf("Slack %s: %v", method, err), "SlackUnreachable")
}

// slackHint says what to do about the errors Slack commonly gives.
func slackHint(code string) string {
	switch code {
	case "not_in_channel":
		return " (invite the app to the channel: /invite @APP)"
	case "channel_not_found":
		return " (check the channel's name, and invite the app to a private channel)"
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive":
		return " (the worker's --slack-token-file holds no valid bot token)"
	case "missing_scope":
		return " (the app needs the chat:write scope)"
	}
	return ""
}
