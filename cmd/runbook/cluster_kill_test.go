package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/server/api/adminservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// killNode starts executions that nap and executions that wait for two
// approvals, kills node 1 with SIGKILL while they do, then approves
// through runbook serve on node 2: every execution completes on node 2
// and its workers, and each put its secret exactly once.
func killNode(t *testing.T, rg *rig, c *cluster) {
	n2 := c.nodes[1].address
	type execution struct{ id, secret, waits string }
	var all []execution
	// Executions are started until at least two of each kind live on
	// node 1's shards: the kill must take some from under them.
	start := func(kind string, i int) bool {
		secret := rg.secret(fmt.Sprintf("cluster-kill-%s-%d", kind, i))
		var r result
		x := execution{secret: secret}
		if kind == "nap" {
			r, x.waits = rg.direct(n2, "start", "defs/nap.yaml", "-p", "Secret="+secret, "-p", "Nap=40s"), "> nap"
		} else {
			r, x.waits = rg.as("alice", "start", "cluster-gated", "-p", "Secret="+secret), "0 of 2 approvals"
		}
		if x.id = strings.TrimSpace(r.stdout); r.code != 0 {
			t.Fatalf("start %s %d: %s", kind, i, r)
		}
		all = append(all, x)
		return historyHost(t, n2, x.id) == c.nodes[0].history
	}
	for _, kind := range []string{"gated", "nap"} { // the naps last, so they still nap at the kill
		on1, i := 0, 0
		for ; on1 < 2 || i < 3; i++ {
			if i == 16 {
				t.Fatalf("16 %s executions, %d of them on node 1's shards", kind, on1)
			}
			if start(kind, i) {
				on1++
			}
		}
		t.Logf("%d %s executions, %d of them on node 1's shards", i, kind, on1)
	}
	for _, x := range all {
		rg.until(30*time.Second, x.waits, func() result { return rg.direct(n2, "status", x.id) })
	}
	c.nodes[0].kill()
	killed := time.Now()
	t.Logf("node 1 killed; %d executions nap or wait for approval", len(all))

	// Each approval is sent until node 2 takes it: while node 1's shards
	// move, an update may fail (and a repeat of one that had landed is
	// refused as already decided).
	for _, x := range all {
		if x.waits != "0 of 2 approvals" {
			continue
		}
		for i, who := range []string{"bob", "carol"} {
			var r result
			for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
				r = rg.as(who, "approve", x.id)
				if r.code == 0 && strings.Contains(r.stdout, fmt.Sprintf("(%d of 2 approvals)", i+1)) ||
					r.code == 1 && strings.Contains(r.stderr, who+" already decided") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s approving %s after the kill: %s", who, x.id, r)
				}
			}
		}
	}
	for _, x := range all {
		rg.until(3*time.Minute, "succeeded", func() result { return rg.direct(n2, "status", x.id) })
		if n := rg.puts(x.secret); n != 1 {
			t.Errorf("%s (%s): %d puts, want 1", x.id, x.secret, n)
		}
	}
	t.Logf("all %d executions succeeded %v after the kill", len(all), time.Since(killed).Round(100*time.Millisecond))
}

// historyHost is the address of the history service that owns the
// execution's shard, as the admin service of the frontend at addr says.
func historyHost(t *testing.T, addr, id string) string {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := adminservice.NewAdminServiceClient(conn).DescribeMutableState(ctx, &adminservice.DescribeMutableStateRequest{
		Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: id}})
	if err != nil {
		t.Fatalf("describe %s: %v", id, err)
	}
	return resp.GetHistoryAddr()
}
