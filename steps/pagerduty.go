package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// PagerDutyURL is the Events API v2 endpoint the pagerduty activity
// posts to unless WithPagerDutyURL says otherwise.
const PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// ErrPagerDuty is the ApplicationError type of the pagerduty activity's
// failures.
const ErrPagerDuty = "PagerDutyError"

// pagerDuty is where the pagerduty activity posts and the routing keys
// of the services definitions name.
type pagerDuty struct {
	url  string
	keys map[string]string
}

// WithPagerDutyURL posts PagerDuty events to u instead of PagerDutyURL
// (a test's server).
func WithPagerDutyURL(u string) ActivitiesOption {
	return func(a *Activities) { a.pd.url = u }
}

// WithPagerDutyKeys gives the routing keys of the PagerDuty services
// that definitions' notify targets name (`pagerduty: {service: NAME}`):
// definitions and histories name a service, only the worker holds keys.
func WithPagerDutyKeys(keys map[string]string) ActivitiesOption {
	return func(a *Activities) { a.pd.keys = keys }
}

// pdBody is an Events API v2 request.
type pdBody struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key,omitempty"`
	Payload     *pdPayload `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
	ClientURL   string     `json:"client_url,omitempty"`
	Links       []pdLink   `json:"links,omitempty"`
}

type pdPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// PagerDuty sends ev to the Events API v2: a trigger with its payload
// and a link to the execution's page, or a resolve, both deduplicated by
// ev.DedupKey. A RoutingKey "service:NAME" is the key WithPagerDutyKeys
// gives NAME. Throttling and 5xx answers are retried; any other refusal
// is not. Errors never quote the routing key.
func (a *Activities) PagerDuty(ctx context.Context, ev engine.PagerDutyEvent) error {
	key := ev.RoutingKey
	if name, ok := strings.CutPrefix(key, "service:"); ok {
		if key = a.pd.keys[name]; key == "" {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("no routing key for PagerDuty service %q: add it to the worker's --pagerduty-keys file", name), ErrPagerDuty, nil)
		}
	}
	b := pdBody{RoutingKey: key, EventAction: ev.Action, DedupKey: ev.DedupKey, Client: "runbook", ClientURL: ev.URL}
	if ev.Action == "trigger" {
		b.Payload = &pdPayload{Summary: ev.Summary, Source: ev.Source, Severity: ev.Severity, CustomDetails: ev.Details}
		if ev.URL != "" {
			b.Links = []pdLink{{Href: ev.URL, Text: "Execution " + ev.DedupKey}}
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("encode the event: "+err.Error(), ErrPagerDuty, nil)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.pagerDutyURL(), bytes.NewReader(raw))
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrPagerDuty, nil)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return temporal.NewApplicationError(strings.ReplaceAll(err.Error(), key, "***"), ErrPagerDuty)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	msg := fmt.Sprintf("PagerDuty answered %s: %s", resp.Status, strings.ReplaceAll(strings.TrimSpace(string(body)), key, "***"))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return temporal.NewApplicationError(msg, ErrPagerDuty)
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrPagerDuty, nil)
}

func (a *Activities) pagerDutyURL() string {
	if a.pd.url != "" {
		return a.pd.url
	}
	return PagerDutyURL
}
