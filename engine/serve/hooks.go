package serve

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// hookSNS takes SNS deliveries: every message's signature is verified; a
// SubscriptionConfirmation is confirmed (SubscribeURL fetched only on an
// allowed SNS host); a Notification carrying a CloudWatch alarm is routed.
func (s *Server) hookSNS(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var m SNSMessage
	if err := json.Unmarshal(body, &m); err != nil {
		s.refuse(w, "sns", http.StatusBadRequest, "not an SNS message: "+err.Error())
		return
	}
	if s.cfg.SNS == nil {
		s.refuse(w, "sns", http.StatusForbidden, "the SNS hook is off on this server: `runbook serve --sns-topic ARN` (or sns-topic: in its --config file) turns it on for that topic")
		return
	}
	if err := s.cfg.SNS.Verify(r.Context(), &m); err != nil {
		if errors.Is(err, ErrFetch) { // the network's fault, maybe: SNS retries
			s.fetchFailed(w, "fetching the signing certificate", err)
			return
		}
		s.refuse(w, "sns", http.StatusForbidden, "SNS signature: "+err.Error())
		return
	}
	switch m.Type {
	case SNSSubscriptionConfirmation:
		if err := s.cfg.SNS.Confirm(r.Context(), &m); errors.Is(err, ErrFetch) {
			s.fetchFailed(w, "confirming the subscription", err)
			return
		} else if err != nil {
			s.refuse(w, "sns", http.StatusForbidden, "confirming the subscription: "+err.Error())
			return
		}
		s.cfg.Metrics.IncHookDeliveries("sns", "confirmed")
		s.cfg.Logger.Info("SNS subscription confirmed", "topic", m.TopicArn)
		WriteJSON(w, http.StatusOK, map[string]string{"confirmed": m.TopicArn})
	case SNSNotification:
		a, err := ParseSNSAlarm(&m)
		if err != nil {
			s.refuse(w, "sns", http.StatusBadRequest, err.Error())
			return
		}
		if err := sameAccount(a, m.TopicArn); err != nil {
			s.refuse(w, "sns", http.StatusForbidden, err.Error())
			return
		}
		s.alarm(w, r, "sns", s.hookCaller("sns"), a)
	default:
		s.cfg.Metrics.IncHookDeliveries("sns", "ignored")
		WriteJSON(w, http.StatusOK, map[string]string{"ignored": m.Type})
	}
}

// sameAccount refuses an alarm that is not in its topic's account: its
// account, and its ARN's, come from the message body, which another
// account allowed to publish to the topic writes.
func sameAccount(a *Alarm, topicARN string) error {
	topic := arnAccount(topicARN)
	if a.Account != topic {
		return fmt.Errorf("the alarm's account %s is not its topic's, %s", cmp.Or(a.Account, `""`), topic)
	}
	if a.ARN != "" && arnAccount(a.ARN) != topic {
		return fmt.Errorf("the alarm %s is not in its topic's account, %s", a.ARN, topic)
	}
	return nil
}

// arnAccount is the account of an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:...).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// hookEventBridge takes "CloudWatch Alarm State Change" events from an
// EventBridge API destination, authenticated by a bearer token (the
// connection's API key header) of the hook group, whose identity is the
// executions' requester, or by the generic hook's signature.
func (s *Server) hookEventBridge(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	c := s.hookCaller("eventbridge")
	if r.Header.Get(GenericSignatureHeader) != "" {
		if !s.signed(w, r, "eventbridge", body) {
			return
		}
	} else {
		var err error
		if c, err = s.tokens.Load().Authenticate(r); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="runbook"`)
			s.refuse(w, "eventbridge", http.StatusUnauthorized, err.Error())
			return
		}
		if !slices.Contains(c.Groups, s.cfg.HookGroup) {
			s.refuse(w, "eventbridge", http.StatusForbidden, fmt.Sprintf("%s may not deliver hooks: only tokens of group %s do", c.Identity, s.cfg.HookGroup))
			return
		}
	}
	a, err := ParseEventBridgeAlarm(body)
	if err != nil {
		s.refuse(w, "eventbridge", http.StatusBadRequest, err.Error())
		return
	}
	s.alarm(w, r, "eventbridge", c, a)
}

// hookCaller is who a signed delivery of hook is: hook:NAME, of the
// hook group (it proved the HMAC key, or came from a configured topic).
func (s *Server) hookCaller(hook string) Caller {
	return Caller{Identity: "hook:" + hook, Groups: []string{s.cfg.HookGroup}}
}

// hookGeneric takes an alarm as JSON, signed with the HMAC key.
func (s *Server) hookGeneric(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok || !s.signed(w, r, "generic", body) {
		return
	}
	a, err := ParseGenericAlarm(body)
	if err != nil {
		s.refuse(w, "generic", http.StatusBadRequest, err.Error())
		return
	}
	s.alarm(w, r, "generic", s.hookCaller("generic"), a)
}

// signed verifies the generic signature headers over body.
func (s *Server) signed(w http.ResponseWriter, r *http.Request, hook string, body []byte) bool {
	ts, sig := r.Header.Get(GenericTimestampHeader), r.Header.Get(GenericSignatureHeader)
	if ts == "" || sig == "" {
		s.refuse(w, hook, http.StatusUnauthorized, "missing "+GenericTimestampHeader+" and "+GenericSignatureHeader+" headers")
		return false
	}
	if err := VerifyGeneric(s.cfg.HMACKey, ts, sig, body, s.cfg.Now()); err != nil {
		s.refuse(w, hook, http.StatusForbidden, err.Error())
		return false
	}
	return true
}

// fetchFailed answers an SNS delivery whose fetch from AWS failed: 502,
// so that SNS retries; the error, which names addresses and resolvers,
// goes to the log only.
func (s *Server) fetchFailed(w http.ResponseWriter, what string, err error) {
	s.cfg.Metrics.IncHookDeliveries("sns", "refused")
	s.cfg.Logger.Warn("hook refused", "hook", "sns", "status", http.StatusBadGateway, "reason", what+": "+err.Error())
	WriteProblem(w, http.StatusBadGateway, what+" from AWS failed; the server's log says why, and SNS delivers again")
}

// refuse answers a delivery that starts nothing, and counts it.
func (s *Server) refuse(w http.ResponseWriter, hook string, status int, detail string) {
	s.cfg.Metrics.IncHookDeliveries(hook, "refused")
	s.cfg.Logger.Warn("hook refused", "hook", hook, "status", status, "reason", detail)
	WriteProblem(w, status, detail)
}
