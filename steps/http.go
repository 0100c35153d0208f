package steps

import "github.com/runbook-dev/runbook/engine"

var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// HTTP sends an HTTP request.
var HTTP = &engine.Kind{
	Name:    "http",
	Summary: "Send an HTTP request; `outputs` read `result.status`, `result.headers`, `result.body` and `result.json`.",
	Fields: []engine.Field{
		{Name: "method", Type: engine.EnumField, Enum: httpMethods, Doc: "the HTTP method (default GET)"},
		{Name: "url", Type: engine.TextField, Required: true, Doc: "the URL"},
		{Name: "headers", Type: engine.TextMapField, Doc: "request headers"},
		{Name: "body", Type: engine.DataField, Doc: "a map (sent as JSON) or a string"},
		{Name: "expect", Type: engine.StatusField, Doc: "the status code or codes that count as success (default 2xx)"},
	},
	Result: engine.Object(
		&engine.ShapeField{Name: "status", Shape: engine.Integer},
		&engine.ShapeField{Name: "headers", Shape: engine.MapOf(engine.Str)},
		&engine.ShapeField{Name: "body", Shape: engine.Str},
		&engine.ShapeField{Name: "json", Shape: engine.Any},
	),
	Example: `name: page
http:
  method: POST
  url: https://hooks.example.com/oncall
  body: {text: "failover of ${{ params.ClusterId }} started"}
  expect: [200, 202]
`,
}
