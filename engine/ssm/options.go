package ssm

import (
	"fmt"
	"regexp"

	"github.com/runbook-dev/runbook/engine"
)

// Options configure an import.
type Options struct {
	// Services is the AWS registry (steps.AWS()); it gives the SDK types
	// that input names, selectors and conversions follow. Nil imports by
	// boto3's names alone.
	Services engine.Services
	// Resumers approve the steps translated from aws:pause, which in SSM
	// wait for a Resume signal from anyone allowed to send one (v1 names
	// approvers literally): user:NAME or group:NAME principals. Empty
	// means DefaultResumers.
	Resumers []string
}

// DefaultResumers approve an imported aws:pause unless Options.Resumers
// names others.
var DefaultResumers = []string{"group:ssm-resumers"}

// principalPattern is what v1 accepts as an approver (the validator
// checks the same of every approve step).
var principalPattern = regexp.MustCompile(`^(user|group):[A-Za-z0-9][A-Za-z0-9._@+-]*$`)

// CheckResumers reports the first entry of resumers that is not a
// user:NAME or group:NAME principal.
func CheckResumers(resumers []string) error {
	for _, r := range resumers {
		if !principalPattern.MatchString(r) {
			return fmt.Errorf("resumer %q is not user:NAME or group:NAME", r)
		}
	}
	return nil
}

// resumers is Options.Resumers, checked, without repeats, or
// DefaultResumers.
func (o Options) resumers() ([]string, error) {
	if len(o.Resumers) == 0 {
		return DefaultResumers, nil
	}
	if err := CheckResumers(o.Resumers); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range o.Resumers {
		if !contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}
