package engine

import (
	"reflect"
	"strings"
)

// Operation is one AWS API operation as the checker and the runtime see it,
// derived by reflection from an aws-sdk-go-v2 client method.
type Operation struct {
	Service string       // "rds", the SDK package name
	Name    string       // "DescribeDBClusters"
	Input   reflect.Type // the SDK input struct type (not a pointer)
	Output  reflect.Type // the SDK output struct type (not a pointer)
	// ReadOnly marks operations that only read (Describe*, Get*, List*, ...).
	ReadOnly bool
	// Missing runs the SDK's own client-side validation on in (a pointer to
	// an Input value) without sending anything and returns the paths of the
	// missing required fields ("Filters[0].Name").
	Missing func(in any) []string
}

// ID is "service:Operation".
func (o *Operation) ID() string { return o.Service + ":" + o.Name }

// Services resolves "service:Operation" names. The steps package provides
// the registry of SDK clients; tests may provide a smaller one.
type Services interface {
	// Operation returns the operation named id ("rds:DescribeDBClusters"),
	// or an error that says what is wrong and, when it can, what was meant.
	Operation(id string) (*Operation, error)
}

var tokenSuffixes = []string{"ClientToken", "ClientRequestToken", "IdempotencyToken"}

// TokenField names the idempotency-token field of an SDK input struct (a
// *string named like ClientToken, ClientRequestToken or IdempotencyToken),
// or "" when the operation takes none. The engine fills it, so that a
// retried or resumed call does not act twice.
func TokenField(input reflect.Type) string {
	for i := range input.NumField() {
		f := input.Field(i)
		if !f.IsExported() || f.Type != reflect.TypeFor[*string]() {
			continue
		}
		for _, suffix := range tokenSuffixes {
			if strings.HasSuffix(f.Name, suffix) {
				return f.Name
			}
		}
	}
	return ""
}
