package steps

import "github.com/runbook-dev/runbook/engine"

// AWSCall calls one AWS API operation.
var AWSCall = &engine.Kind{
	Name:     KindAWS,
	Summary:  "Call an AWS API operation; its `outputs` read `result`, the operation's output.",
	Scalar:   &engine.Field{Name: KindAWS, Type: engine.OperationField, Doc: "service:Operation, as in aws-sdk-go-v2"},
	Beside:   []engine.Field{inputField},
	Runs:     engine.RunsActivity,
	Activity: engine.ActivityAWS,
	Example: `name: describe
aws: rds:DescribeDBClusters
input: {DBClusterIdentifier: "${{ params.ClusterId }}"}
outputs:
  status: result.DBClusters[0].Status
`,
}
