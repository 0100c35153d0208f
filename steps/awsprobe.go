package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// errAWSNotSent is what the probe client's transport answers every request
// with: a call that gets this far passed the SDK's validation, and nothing
// was sent.
var errAWSNotSent = errors.New("runbook: AWS validation probe: request not sent")

// awsProbeTransport is the probe client's HTTP transport: it sends nothing.
type awsProbeTransport struct{}

func (awsProbeTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, errAWSNotSent }

// awsProbeConfig is a static configuration that needs no credentials chain,
// no network and no retries.
func awsProbeConfig() aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDRUNBOOKPROBE", SecretAccessKey: "probe", Source: "runbook probe"}, nil
		}),
		Retryer:    func() aws.Retryer { return aws.NopRetryer{} },
		HTTPClient: &http.Client{Transport: awsProbeTransport{}},
	}
}

// probe calls operation m with in (a pointer to its input, or the input
// itself) on a client that sends nothing, and returns the call's error: the
// SDK's validation error, errAWSNotSent, or whatever failed on the way.
func (s *awsService) probe(m reflect.Method, in any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("probe: %s:%s panicked: %v", s.name, m.Name, r)
		}
	}()
	want := m.Type.In(2)
	v := reflect.ValueOf(in)
	switch {
	case !v.IsValid() || v.Type() == want && v.IsNil():
		v = reflect.New(want.Elem())
	case v.Type() == want.Elem():
		p := reflect.New(want.Elem())
		p.Elem().Set(v)
		v = p
	case v.Type() != want:
		return errors.New("probe: input of type " + v.Type().String() + ", want " + want.String())
	}
	s.probeOnce.Do(func() { s.probeClient = reflect.ValueOf(s.newFn(awsProbeConfig())) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := m.Func.Call([]reflect.Value{s.probeClient, reflect.ValueOf(ctx), v})
	err, _ = out[1].Interface().(error)
	return err
}

// awsRequiredMissing returns the paths of the missing required parameters
// that the SDK's validation error err lists ("InstanceIds",
// "Filters[0].Name"), sorted; nil when err is no validation error.
func awsRequiredMissing(err error) []string {
	var invalid smithy.InvalidParamsError
	if !errors.As(err, &invalid) {
		return nil
	}
	var out []string
	for _, e := range invalid.Errs() {
		var req *smithy.ParamRequiredError
		if errors.As(e, &req) {
			out = append(out, strings.TrimPrefix(req.Field(), invalid.Context+"."))
		}
	}
	sort.Strings(out)
	return out
}
