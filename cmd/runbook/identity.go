package main

import (
	"fmt"
	"os"
)

// processIdentity is this process's Temporal identity, USER@HOST:PID:
// the histories show which worker ran a task and which command started,
// signalled or cancelled an execution. Who a person acts as (--as, the
// requester and approvers) travels in the workflow's input and updates,
// not here.
func processIdentity() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s@%s:%d", identity(), host, os.Getpid())
}
