package steps

import (
	"net"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/interp"
	"github.com/slack-go/slack"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
)

// Activities are the worker's activities: Call and WaitFor, which call
// AWS, HTTP and Script. They hold the AWS configuration and the SDK clients
// built from it, one per service, region and assumed role, the http steps'
// client and whether scripts may run.
type Activities struct {
	cfg     aws.Config
	clients *lru         // "service|region|role|session" -> reflect.Value
	creds   *lru         // "region|role|session" -> aws.CredentialsProvider
	web     *http.Client // http steps' client as given; nil: the default transport, guarded
	scripts bool         // WithScripts
	// scriptUserName is who scripts run as (WithScriptUser); "": nobody
	// when the worker is root, else the worker's user.
	scriptUserName string
	private        bool // WithPrivateHTTP
	pd             pagerDuty
	// slack posts the slack activity's notices (WithSlack); nil: it
	// fails, saying the worker has no Slack token.
	slack *slack.Client

	// The http steps' transports (see stepClient): their connections
	// refuse what denied names (deniedAddr; tests replace it), unless open.
	denied         func(net.IP) string
	transportsOnce sync.Once
	open, guarded  http.RoundTripper
}

// maxClients bounds the SDK clients (and assumed-role credentials) a
// worker keeps: a role's are per session name, so per execution.
const maxClients = 512

// ActivitiesOption configures NewActivities.
type ActivitiesOption func(*Activities)

// WithHTTPClient sends every AWS request (STS's included) through c, such
// as a client whose transport injects failures in tests.
func WithHTTPClient(c aws.HTTPClient) ActivitiesOption {
	return func(a *Activities) { a.cfg.HTTPClient = c }
}

// WithScriptUser runs scripts as the user name (the worker must be root
// to run them as another user).
func WithScriptUser(name string) ActivitiesOption {
	return func(a *Activities) { a.scriptUserName = name }
}

// WithPrivateHTTP lets every http step reach loopback and link-local
// addresses (instance metadata), as allowPrivate does for one step.
func WithPrivateHTTP() ActivitiesOption {
	return func(a *Activities) { a.private = true }
}

// NewActivities returns the activities calling AWS with cfg, usually from
// config.LoadDefaultConfig (which honours AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>; nothing here overrides endpoints). The SDK's
// own retries are turned off: the activity's retry policy retries.
func NewActivities(cfg aws.Config, opts ...ActivitiesOption) *Activities {
	a := &Activities{cfg: cfg.Copy(), clients: newLRU(maxClients), creds: newLRU(maxClients)}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Register registers Call as engine.ActivityAWS, WaitFor as
// engine.ActivityWaitFor, HTTP as engine.ActivityHTTP, Script as
// engine.ActivityScript, PagerDuty as engine.ActivityPagerDuty and Slack as
// engine.ActivitySlack on w (a worker, or a test environment): the
// activities the kinds name (Kind.Activity), each hiding its call's
// secrets from its failures, and the ones notices page and post with.
// Script is registered even without WithScripts, and Slack without
// WithSlack, to refuse with a clear error.
func (a *Activities) Register(w worker.ActivityRegistry) {
	w.RegisterActivityWithOptions(hiding(a.Call), activity.RegisterOptions{Name: engine.ActivityAWS})
	w.RegisterActivityWithOptions(hiding(a.WaitFor), activity.RegisterOptions{Name: engine.ActivityWaitFor})
	w.RegisterActivityWithOptions(hiding(a.HTTP), activity.RegisterOptions{Name: engine.ActivityHTTP})
	w.RegisterActivityWithOptions(hiding(a.Script), activity.RegisterOptions{Name: engine.ActivityScript})
	w.RegisterActivityWithOptions(a.PagerDuty, activity.RegisterOptions{Name: engine.ActivityPagerDuty})
	w.RegisterActivityWithOptions(a.Slack, activity.RegisterOptions{Name: engine.ActivitySlack})
}

// Register registers on w (a worker) the interpreter workflow, running
// every kind (All), whose refused approval decisions go to audit (when
// not nil), configured by opts (interp.WithCatalog), and a's activities.
func Register(w worker.Registry, a *Activities, audit interp.Auditor, opts ...interp.Option) {
	interp.Register(w, All(), audit, opts...)
	a.Register(w)
}
