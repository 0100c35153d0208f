package engine

import (
	"reflect"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// sealer is a value that may carry a secret: workflow and child inputs,
// activity inputs and results, outcomes. Its payload is marked so that
// the codec encrypts it.
type sealer interface{ sealed() bool }

func (in Input) sealed() bool {
	if in.Seal || len(in.Secrets) > 0 {
		return true
	}
	if in.Plan == nil {
		return false
	}
	for _, pp := range in.Plan.Params {
		if v, ok := in.Params[pp.Name]; pp.Secret && (ok && v != nil && v != "" || !ok && pp.Default != nil && pp.Default != "") {
			return true
		}
	}
	return false
}

func (c Call) sealed() bool       { return c.Seal }
func (r CallResult) sealed() bool { return r.Seal || len(r.Secrets) > 0 }
func (o Outcome) sealed() bool    { return o.Seal }

// DataConverter is Temporal's default data converter with codec c: the
// payloads of values that carry a secret are marked, and c encrypts them
// (or every payload when c.All).
func DataConverter(c *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(marking{converter.GetDefaultDataConverter()}, c)
}

// FailureConverter is Temporal's default failure converter with codec c:
// when c encrypts every payload, a failure's message and stack trace go
// into an encoded attributes payload (encrypted) and the history keeps
// only "Encoded failure" in clear: error texts may carry what the runbook
// handles. DecodeHistory restores them for the timeline.
func FailureConverter(c *Codec) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(c),
		EncodeCommonAttributes: c != nil && c.All,
	})
}

// marking marks the payloads of sealers that carry a secret.
type marking struct{ converter.DataConverter }

func (m marking) ToPayload(v any) (*commonpb.Payload, error) {
	p, err := m.DataConverter.ToPayload(v)
	if err == nil && p != nil {
		mark(p, v)
	}
	return p, err
}

func (m marking) ToPayloads(vs ...any) (*commonpb.Payloads, error) {
	ps, err := m.DataConverter.ToPayloads(vs...)
	if err == nil {
		for i, p := range ps.GetPayloads() {
			mark(p, vs[i])
		}
	}
	return ps, err
}

func mark(p *commonpb.Payload, v any) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return
	}
	if s, ok := v.(sealer); ok && s.sealed() {
		if p.Metadata == nil {
			p.Metadata = map[string][]byte{}
		}
		p.Metadata[metaSeal] = []byte("1")
	}
}
