package serve

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/runbook-dev/runbook/engine/interp"
)

// approvalsEvery is how often, at most, the approvals gauges ask
// Temporal which approvals wait: a scrape in between reads the last
// answer.
const approvalsEvery = 15 * time.Second

// approvalsCollector reports the approvals waiting, by definition: how
// many, and how long the oldest has waited. It reads them from the
// running executions (interp.Waiting, as GET /v1/approvals does) when
// scraped, at most every approvalsEvery, so it counts what Temporal
// holds, whichever worker runs them and whatever they replay; a failed
// refresh keeps the previous answer.
type approvalsCollector struct {
	waiting func(context.Context) ([]*interp.WaitingStep, error)
	now     func() time.Time

	count, oldest *prometheus.Desc

	mu   sync.Mutex
	at   time.Time
	last []*interp.WaitingStep
}

func newApprovalsCollector(waiting func(context.Context) ([]*interp.WaitingStep, error), now func() time.Time) *approvalsCollector {
	return &approvalsCollector{waiting: waiting, now: now,
		count: prometheus.NewDesc("runbook_approvals_waiting",
			"Approve steps waiting for decisions, by definition.", []string{"definition"}, nil),
		oldest: prometheus.NewDesc("runbook_approval_oldest_wait_seconds",
			"How long the oldest approve step waiting for decisions has waited, by definition.", []string{"definition"}, nil)}
}

// Describe sends the two gauges' descriptions.
func (c *approvalsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.count
	ch <- c.oldest
}

// Collect sends, for each definition with approvals waiting, their
// number and the oldest one's age.
func (c *approvalsCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	count, since := map[string]float64{}, map[string]time.Time{}
	for _, w := range c.steps(now) {
		def, _, _ := strings.Cut(w.Approval.Runbook, "@")
		count[def]++
		if s, ok := since[def]; !ok || w.Approval.Since.Before(s) {
			since[def] = w.Approval.Since
		}
	}
	for def, n := range count {
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, n, labelValue(def))
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, max(0, now.Sub(since[def]).Seconds()), labelValue(def))
	}
}

// steps returns the approvals waiting, asking again when the last answer
// is older than approvalsEvery.
func (c *approvalsCollector) steps(now time.Time) []*interp.WaitingStep {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) < approvalsEvery {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if steps, err := c.waiting(ctx); err == nil {
		c.last = steps
	}
	c.at = now
	return c.last
}
