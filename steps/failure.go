package steps

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/runbook-dev/runbook/engine"
)

// activityFunc is the shape of the activities the kinds call.
type activityFunc func(context.Context, engine.Call) (engine.CallResult, error)

// hiding wraps an activity so that its failure hides the secrets its call
// carries (engine.Call.Secrets): Temporal stores a failure's message as it
// is, never sealed, and a script's stderr, a URL's path or an API's error
// can hold a secret.
func hiding(f activityFunc) activityFunc {
	return func(ctx context.Context, c engine.Call) (engine.CallResult, error) {
		res, err := f(ctx, c)
		if err != nil && len(c.Secrets) > 0 {
			err = hideSecrets(err, c.Secrets)
		}
		return res, err
	}
}

// hideSecrets is err with secrets replaced by *** in its message, of the
// same type and retry policy.
func hideSecrets(err error, secrets []string) error {
	r := redactor(secrets)
	msg := r.Text(err.Error())
	var app *temporal.ApplicationError
	switch {
	case msg == err.Error():
		return err
	case errors.As(err, &app):
		return temporal.NewApplicationErrorWithOptions(r.Text(app.Message()), app.Type(), temporal.ApplicationErrorOptions{
			NonRetryable: app.NonRetryable(), NextRetryDelay: app.NextRetryDelay(), Category: app.Category()})
	}
	return errors.New(msg)
}

// redactor hides secrets.
func redactor(secrets []string) *engine.Redactor {
	var r engine.Redactor
	for _, s := range secrets {
		r.Add(s)
	}
	return &r
}
