package serve

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
)

// SlackConfig turns on the Slack hook, POST /v1/hooks/slack: the Slack
// app's interactivity request URL.
type SlackConfig struct {
	// SigningSecret is the app's signing secret: a request it did not
	// sign is refused.
	SigningSecret []byte
	// Token is the app's bot token (xoxb-), the one the workers post
	// with: it opens answer forms and updates the messages it posted.
	Token string
	// APIURL is Slack's Web API ("": https://slack.com/api/).
	APIURL string
}

// slackDecideTimeout bounds what one interaction does: decide, open a
// form, update a message. Slack waits 3 seconds for an answer; a decision
// that takes longer is still made, and its message still updated.
const slackDecideTimeout = 20 * time.Second

// slackClient is the Web API client of c.
func slackClient(c *SlackConfig) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second})}
	if c.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(c.APIURL, "/")+"/"))
	}
	return slack.New(c.Token, opts...)
}

// hookSlack takes the Slack app's interaction callbacks: every request's
// signature is verified (SlackWindow, the signing secret); a click on a
// human step's button (block_actions) decides it as the clicker's caller
// in the tokens file, or opens the answer form; the form's submission
// (view_submission) answers. The workflow's rules decide, as for the
// API; a refusal is told to the person and changes nothing.
func (s *Server) hookSlack(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if s.slack == nil {
		s.refuse(w, "slack", http.StatusForbidden, "the Slack hook is off on this server: `runbook serve --slack-signing-secret-file FILE --slack-token-file FILE` turns it on")
		return
	}
	ts, sig := r.Header.Get(SlackTimestampHeader), r.Header.Get(SlackSignatureHeader)
	if err := VerifySlack(s.cfg.Slack.SigningSecret, ts, sig, body, s.cfg.Now()); err != nil {
		status := http.StatusForbidden
		if ts == "" || sig == "" {
			status = http.StatusUnauthorized
		}
		s.refuse(w, "slack", status, "Slack signature: "+err.Error())
		return
	}
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err != nil || form.Get("payload") == "" || json.Unmarshal([]byte(form.Get("payload")), &cb) != nil {
		s.refuse(w, "slack", http.StatusBadRequest, "not a Slack interaction: a form whose payload= is the interaction's JSON")
		return
	}
	// Slack may stop waiting before a decision is made: it is made
	// anyway, and its message updated.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), slackDecideTimeout)
	defer cancel()
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		s.slackAction(ctx, &cb)
		w.WriteHeader(http.StatusOK)
	case slack.InteractionTypeViewSubmission:
		WriteJSON(w, http.StatusOK, s.slackSubmit(ctx, &cb))
	default:
		s.cfg.Metrics.IncHookDeliveries("slack", "ignored")
		w.WriteHeader(http.StatusOK)
	}
}

// slackPlace is where an interaction happened: the message, and who.
type slackPlace struct {
	channel, ts, user string
}

// slackUpdates maps a button to the update it sends.
var slackUpdates = map[string]string{
	engine.SlackApprove: engine.UpdateApprove,
	engine.SlackReject:  engine.UpdateReject,
	engine.SlackDone:    engine.UpdateDone,
}

// slackAction acts on a click on one of a human step's buttons.
func (s *Server) slackAction(ctx context.Context, cb *slack.InteractionCallback) {
	var ba *slack.BlockAction
	for _, x := range cb.ActionCallback.BlockActions {
		if _, ok := slackUpdates[x.ActionID]; ok || x.ActionID == engine.SlackAnswer {
			ba = x
			break
		}
	}
	if ba == nil {
		s.cfg.Metrics.IncHookDeliveries("slack", "ignored")
		return
	}
	at := slackPlace{channel: cmp.Or(cb.Container.ChannelID, cb.Channel.ID), ts: cmp.Or(cb.Container.MessageTs, cb.Message.Timestamp), user: cb.User.ID}
	a, err := engine.ParseSlackAction(ba.Value)
	if err != nil {
		s.slackRefused(ctx, at, a, ba.ActionID, err.Error())
		return
	}
	c, ok := s.tokens.Load().SlackCaller(cb.User.ID)
	if !ok {
		s.slackRefused(ctx, at, a, ba.ActionID, unmappedSlackUser(cb.User.ID))
		return
	}
	if ba.ActionID == engine.SlackAnswer {
		s.slackOpenForm(ctx, cb.TriggerID, at, a, c)
		return
	}
	kind := slackUpdates[ba.ActionID]
	d := engine.Decision{Step: a.Step, Identity: c.Identity, Groups: c.Groups, Request: a.Request}
	if kind == engine.UpdateDone {
		// Done confirms the checklist the message showed: the request
		// binds it, and the workflow refuses another request.
		if ap := s.slackWaiting(ctx, a); ap != nil {
			d.Checked = ap.Checklist
		}
	}
	res, err := s.record(ctx, a.Execution, kind, d)
	if err != nil {
		s.slackRefused(ctx, at, a, ba.ActionID, refusalOf(err))
		return
	}
	s.cfg.Metrics.IncHookDeliveries("slack", "decided")
	s.slackDecided(ctx, at, a.Step, res, c.Identity, cb.Message.Blocks)
}

// slackOpenForm opens the answer form of an ask step for c, who may
// answer it, when the step still waits on the request the message showed.
func (s *Server) slackOpenForm(ctx context.Context, trigger string, at slackPlace, a engine.SlackAction, c Caller) {
	ap := s.slackWaiting(ctx, a)
	switch {
	case ap == nil || ap.Kind != "ask":
		s.slackRefused(ctx, at, a, engine.SlackAnswer, "step "+a.Step+" of execution "+a.Execution+" is not waiting for an answer")
		return
	case ap.Request != a.Request:
		s.slackRefused(ctx, at, a, engine.SlackAnswer, "step "+a.Step+" now waits on request "+ap.Request+", not "+a.Request+
			" which this message shows: what you were shown is not what waits; look again with `runbook approvals`")
		return
	case !(&interp.WaitingStep{Approval: ap}).MayDecide(c.Identity, c.Groups):
		s.slackRefused(ctx, at, a, engine.SlackAnswer, c.Identity+" may not answer step "+a.Step+" ("+strings.Join(ap.Approvers, ", ")+"), or it is answered")
		return
	}
	meta := a
	meta.Channel, meta.TS = at.channel, at.ts
	if _, err := s.slack.OpenViewContext(ctx, trigger, answerForm(a.Step, ap, meta.Encode())); err != nil {
		s.cfg.Metrics.IncHookDeliveries("slack", "error")
		s.cfg.Logger.Error("slack: views.open failed", "execution", a.Execution, "step", a.Step, "error", err)
		s.slackEphemeral(ctx, at, "The answer form could not be opened (Slack said: "+err.Error()+"). Answer with `"+interp.ActCommand(a.Execution, a.Step, ap)+"`.")
		return
	}
	s.cfg.Metrics.IncHookDeliveries("slack", "opened")
}

// slackSubmit answers an ask step with the form's values, and is the
// response Slack shows: the problems per field, a refusal, or the form
// closed.
func (s *Server) slackSubmit(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	if cb.View.CallbackID != engine.SlackAnswer {
		s.cfg.Metrics.IncHookDeliveries("slack", "ignored")
		return slack.NewClearViewSubmissionResponse()
	}
	a, err := engine.ParseSlackAction(cb.View.PrivateMetadata)
	at := slackPlace{channel: a.Channel, ts: a.TS, user: cb.User.ID}
	if err != nil {
		return s.slackFormRefused(at, a, err.Error())
	}
	c, ok := s.tokens.Load().SlackCaller(cb.User.ID)
	if !ok {
		return s.slackFormRefused(at, a, unmappedSlackUser(cb.User.ID))
	}
	var fields []*engine.PlanParam
	if ap := s.slackWaiting(ctx, a); ap != nil {
		fields = ap.Fields
	}
	answer, problems := formAnswer(fields, cb.View.State)
	if len(problems) > 0 {
		s.slackRefusal(at, a, engine.SlackAnswer, "the answer does not fit the fields", "identity", c.Identity)
		return slack.NewErrorsViewSubmissionResponse(problems)
	}
	d := engine.Decision{Step: a.Step, Identity: c.Identity, Groups: c.Groups, Request: a.Request, Answer: answer}
	res, err := s.record(ctx, a.Execution, engine.UpdateAnswer, d)
	if err != nil {
		return s.slackFormRefused(at, a, refusalOf(err))
	}
	s.cfg.Metrics.IncHookDeliveries("slack", "decided")
	s.slackDecided(ctx, at, a.Step, res, c.Identity, slack.Blocks{})
	return slack.NewClearViewSubmissionResponse()
}

// slackWaiting is the approval step a.Step of a.Execution waits on now,
// whatever its request; nil when it does not wait (or the state query
// fails: the workflow then gives the refusal).
func (s *Server) slackWaiting(ctx context.Context, a engine.SlackAction) *engine.Approval {
	o, err := interp.Query(ctx, s.cfg.Client, a.Execution)
	if err != nil {
		return nil
	}
	for _, st := range o.Steps {
		if st.Name == a.Step && st.Status == engine.StatusWaiting && st.Approval != nil {
			return st.Approval
		}
	}
	return nil
}

// unmappedSlackUser is why a Slack user who is no caller is refused.
func unmappedSlackUser(id string) string {
	return "your Slack user (" + id + ") is not mapped to anyone in runbook serve's tokens file: ask its admin to add `slack: " + id + "` to your entry"
}
