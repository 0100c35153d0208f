package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine/serve"
	"github.com/runbook-dev/runbook/engine/timeline"
)

// The commands in API mode: each sends one request (approve and reject
// two, to bind to the waiting request) and prints what direct mode
// prints. The caller is the token's identity; --as and --group are
// refused.

// viaAPI starts a definition of the server's catalog and prints its ID.
func (c *startCmd) viaAPI(e *env) error {
	_, id, _, err := startViaAPI(&c.target, c.As, &c.remote)
	if err == nil {
		fmt.Fprintln(e.stdout, id)
	}
	return err
}

// rawParams reads --params-file then -p (which wins), unchecked.
func (t *target) rawParams() (map[string]any, error) {
	given := map[string]any{}
	if t.ParamsFile != "" {
		raw, err := os.ReadFile(t.ParamsFile)
		if err != nil {
			return nil, usagef("--params-file: %v", err)
		}
		if err := yaml.Unmarshal(raw, &given); err != nil {
			if jerr := json.Unmarshal(raw, &given); jerr != nil {
				return nil, usagef("--params-file %s: not a YAML or JSON mapping: %v", t.ParamsFile, err)
			}
		}
	}
	for _, kv := range t.Params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usagef("-p %s: write -p KEY=VALUE", kv)
		}
		given[k] = v
	}
	return given, nil
}

// viaAPI prints an execution: GET /v1/executions/{id}.
func (c *statusCmd) viaAPI(e *env) error {
	a, err := c.client()
	if err != nil {
		return err
	}
	var x serve.Execution
	if err := a.do("GET", "/v1/executions/"+escape(c.ID), nil, &x); err != nil {
		return err
	}
	return printStatus(e, c.Output, x.ID, x.Status, x.Start, x.Outcome)
}

// viaAPI lists executions: GET /v1/executions.
func (c *listCmd) viaAPI(e *env) error {
	a, err := c.client()
	if err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(c.Limit)}}
	if c.Name != "" {
		q.Set("definition", c.Name)
	}
	if c.Status != "" {
		q.Set("status", c.Status)
	}
	var xs []serve.Execution
	if err := a.do("GET", "/v1/executions?"+q.Encode(), nil, &xs); err != nil {
		return err
	}
	rows := []listRow{}
	for _, x := range xs {
		r := listRow{ID: x.ID, Name: x.Definition, Status: x.Status, Start: x.Start}
		if !x.Close.IsZero() {
			r.Seconds = x.Close.Sub(x.Start).Seconds()
		}
		rows = append(rows, r)
	}
	return printList(e, c.Output, rows)
}

// viaAPI lists the steps the caller may decide: GET /v1/approvals.
func (c *approvalsCmd) viaAPI(e *env) error {
	rows, unread, err := inboxViaAPI(&c.remote, "/v1/approvals")
	if err != nil {
		return err
	}
	return c.report(e, rows, unread)
}

// viaAPI requests cancellation: POST /v1/executions/{id}/cancel.
// viaAPI retries as the token's identity: POST /v1/executions/{id}/retry.
func (c *retryCmd) viaAPI(e *env) error {
	if err := noIdentityFlags(c.As, nil); err != nil {
		return err
	}
	a, err := c.client()
	if err != nil {
		return err
	}
	var r serve.Retried
	if err := a.do("POST", "/v1/executions/"+escape(c.ID)+"/retry", serve.RetryRequest{From: c.From}, &r); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "retrying %s from %s, reusing %d steps\n", c.ID, r.From, r.Reused)
	fmt.Fprintln(e.stdout, r.ID)
	return nil
}

// viaAPI prints the timeline the server tells:
// GET /v1/executions/{id}/history. The raw history (-o temporal), which
// only replay reads, is Temporal's to export.
func (c *historyCmd) viaAPI(e *env) error {
	if c.Output == "temporal" {
		return usagef("history -o temporal exports Temporal's own history: run it without --server, where Temporal is reachable")
	}
	a, err := c.client()
	if err != nil {
		return err
	}
	var t timeline.Timeline
	if err := a.do("GET", "/v1/executions/"+escape(c.ID)+"/history", nil, &t); err != nil {
		return err
	}
	return printTimeline(e, c.Output, &t)
}

func (c *cancelCmd) viaAPI(e *env) error {
	a, err := c.client()
	if err != nil {
		return err
	}
	if err := a.do("POST", "/v1/executions/"+escape(c.ID)+"/cancel", nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "cancel requested for %s; runbook status %s shows it\n", c.ID, c.ID)
	return nil
}
