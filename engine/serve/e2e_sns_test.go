package serve

import (
	"strings"
	"testing"
	"time"
)

// TestE2ESNSAttacks: SNS deliveries that are validly signed by SNS but
// come from where they must not start anything. An alarm whose account is
// not its topic's (another account's alarm published to the configured
// topic, or a body that lies about its account) is refused; a server that
// names no topic takes nothing, not even a subscription confirmation
// (any AWS account could subscribe it to a topic of its own).
func TestE2ESNSAttacks(t *testing.T) {
	e := newE2E(t, e2eCatchAll)
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	arn := func(name string) string {
		return "catch-all/arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + name + "/2026-11-26T10:00:00Z"
	}

	other := e.snsAlarm("sns-other-account", "t", at)
	other.Message = strings.Replace(other.Message, `"AWSAccountId":"123456789012"`, `"AWSAccountId":"999999999999"`, 1)
	e.sns.sign(other, "2")
	a := e.postSNS(other)
	e.refused(a, 403, "the alarm's account 999999999999 is not its topic's, 123456789012")

	e.sns.v.Topics = nil
	a = e.postSNS(e.snsAlarm("sns-no-topics", "t", at))
	e.refused(a, 403, "no SNS topic is configured")
	before := e.sns.hits("/confirm")
	a = e.postSNS(e.sns.confirmation(e.sns.url("/confirm")))
	e.refused(a, 403, "no SNS topic is configured")
	if e.sns.hits("/confirm") != before {
		t.Error("the subscription was confirmed by a server with no topic")
	}
	e.absent(arn("sns-other-account"), arn("sns-no-topics"))
}
