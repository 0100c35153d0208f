package engine

import (
	"context"
	"io"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// ReadHistory reads a history exported as JSON (`temporal workflow show
// --output json`, `runbook history -o temporal`).
func ReadHistory(r io.Reader) (*historypb.History, error) {
	return client.HistoryFromJSON(r, client.HistoryJSONOptions{})
}

// FetchHistory reads every page of the history of execution id (runID ""
// for its latest run).
func FetchHistory(ctx context.Context, cl client.Client, id, runID string) (*historypb.History, error) {
	it := cl.GetWorkflowHistory(ctx, id, runID, false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}

// DecodeHistory decrypts, in place, every payload of h that c can open,
// and puts back the messages of failures whose attributes were encoded
// (FailureConverter), so that the timeline and the replayer read plain
// values.
func DecodeHistory(ctx context.Context, h *historypb.History, c *Codec) error {
	if c == nil {
		return nil
	}
	err := proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return c.Decode(ps)
		},
	})
	if err != nil {
		return err
	}
	return proxy.VisitFailures(ctx, h, proxy.VisitFailuresOptions{
		Visitor: func(_ *proxy.VisitFailuresContext, f *failurepb.Failure) error {
			// Once decrypted; one still sealed (a key missing) stays as is.
			converter.DecodeCommonFailureAttributes(converter.GetDefaultDataConverter(), f)
			return nil
		},
	})
}
