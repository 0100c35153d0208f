package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	historypb "go.temporal.io/api/history/v1"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/casetest"
)

// record writes a test case from an execution's history: to stdout as a
// test file, or added to --out.
func (c *testCmd) record(e *env) error {
	if len(c.Paths) > 0 {
		return usagef("--record takes no paths: write the case to a test file with --out")
	}
	ctx := context.Background()
	s, err := c.connect(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	codec, err := c.codec(c.StateDir)
	if err != nil {
		return err
	}
	// Opened with the codec, as history does: a sealed input (secret
	// params) and encrypted payloads too.
	rec, err := casetest.Record(ctx, c.Record, func(ctx context.Context, id string) (*historypb.History, error) {
		h, err := engine.FetchHistory(ctx, s.client, id, "")
		if err == nil {
			err = engine.DecodeHistory(ctx, h, codec)
		}
		return h, err
	})
	if err != nil {
		return unreachable(err)
	}
	for _, n := range rec.Notes {
		fmt.Fprintf(e.stderr, "note: %s\n", n)
	}
	var old []byte
	if c.Out != "" {
		if old, err = os.ReadFile(c.Out); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	src, err := casetest.Append(old, rec.Case)
	if err != nil {
		return fmt.Errorf("%s: %w", c.Out, err)
	}
	if c.Out == "" {
		_, err = e.stdout.Write(src)
		return err
	}
	if err := os.WriteFile(c.Out, src, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "recorded a case of %s@%s from %s in %s\n", rec.Plan.Name, rec.Plan.Version, c.Record, c.Out)
	return nil
}
