package main

import (
	"fmt"
	"net/url"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/runbook-dev/runbook/steps"
)

// noticeFlags say where the worker's notices link and page.
type noticeFlags struct {
	PublicURL     string `name:"public-url" env:"RUNBOOK_PUBLIC_URL" placeholder:"URL" help:"The URL people reach runbook serve at (https://runbook.example.com): notices link to URL/ui/executions/ID."`
	PagerDutyKeys string `name:"pagerduty-keys" env:"RUNBOOK_PAGERDUTY_KEYS" placeholder:"FILE" type:"path" help:"A YAML file mapping the PagerDuty services definitions name (notify: pagerduty: {service: NAME}) to their Events API v2 routing keys; the keys never reach definitions or histories."`
	PagerDutyURL  string `name:"pagerduty-url" hidden:"" help:"The Events API v2 endpoint (tests)."`
}

// pdKeyRE is what an Events API v2 routing key looks like: 32 characters.
var pdKeyRE = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

// options are the worker's activities and interpreter options for
// notices: the public URL, the PagerDuty keys read from their file.
func (f noticeFlags) options() ([]steps.ActivitiesOption, []interp.Option, error) {
	var aopts []steps.ActivitiesOption
	var iopts []interp.Option
	if f.PublicURL != "" {
		u, err := url.Parse(f.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, nil, usagef("--public-url %q: want an http(s) URL such as https://runbook.example.com", f.PublicURL)
		}
		iopts = append(iopts, interp.WithPublicURL(f.PublicURL))
	}
	if f.PagerDutyURL != "" {
		aopts = append(aopts, steps.WithPagerDutyURL(f.PagerDutyURL))
	}
	if f.PagerDutyKeys != "" {
		keys, err := readPagerDutyKeys(f.PagerDutyKeys)
		if err != nil {
			return nil, nil, usagef("--pagerduty-keys: %v", err)
		}
		aopts = append(aopts, steps.WithPagerDutyKeys(keys))
	}
	return aopts, iopts, nil
}

// readPagerDutyKeys reads a YAML mapping of service names to routing
// keys. Its errors name services, never keys.
func readPagerDutyKeys(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	if err := yaml.Unmarshal(raw, &keys); err != nil {
		return nil, fmt.Errorf("%s: want a mapping of service names to routing keys", path)
	}
	for name, k := range keys {
		if !pdKeyRE.MatchString(k) {
			return nil, fmt.Errorf("%s: the routing key of service %q is not 32 letters and digits", path, name)
		}
	}
	return keys, nil
}
