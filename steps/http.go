package steps

import "github.com/runbook-dev/runbook/engine"

// HTTP sends an HTTP request.
var HTTP = &engine.Kind{
	Name:    KindHTTP,
	Summary: "Send an HTTP request; `outputs` read `result.status`, `result.headers`, `result.body` and `result.json`.",
	Fields: []engine.Field{
		{Name: "method", Type: engine.EnumField, Enum: engine.HTTPMethods, Doc: "the HTTP method (default GET)"},
		{Name: "url", Type: engine.TextField, Required: true, Doc: "the URL"},
		{Name: "headers", Type: engine.TextMapField, Doc: "request headers"},
		{Name: "body", Type: engine.DataField, Doc: "a map (sent as JSON) or a string"},
		{Name: "expect", Type: engine.StatusField, Doc: "the status code or codes that count as success (default 2xx)"},
		{Name: "allowPrivate", Type: engine.BoolField, Doc: "let the request reach loopback and link-local addresses, such as instance metadata (refused by default)"},
	},
	Result: engine.Object(
		&engine.ShapeField{Name: "status", Shape: engine.Integer},
		&engine.ShapeField{Name: "headers", Shape: engine.MapOf(engine.Str)},
		&engine.ShapeField{Name: "body", Shape: engine.Str},
		&engine.ShapeField{Name: "json", Shape: engine.Any},
	),
	Runs:     engine.RunsActivity,
	Activity: engine.ActivityHTTP,
	Target:   httpMethod,
	Reads:    httpSafe,
	Guard:    guardV1,
	Example: `name: page
http:
  method: POST
  url: https://hooks.example.com/oncall
  body: {text: "failover of ${{ params.ClusterId }} started"}
  expect: [200, 202]
`,
}

// httpMethod is what an http step calls, as its summary shows it: its
// method when literal (the URL may hold secrets), else GET.
func httpMethod(s *engine.PlanStep) string {
	if m := s.Arg("method"); m != nil && m.Tmpl == nil {
		return m.Str
	}
	return "GET"
}

// httpSafe reports whether an http step's method only reads.
func httpSafe(s *engine.PlanStep) bool {
	m := s.Arg("method")
	return m == nil || m.Tmpl == nil && (m.Str == "GET" || m.Str == "HEAD" || m.Str == "OPTIONS")
}
