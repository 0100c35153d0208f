# Build, test and check the runbook engine with the local Go toolchain
# (never an automatic toolchain download).
export GOTOOLCHAIN := local

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

GO ?= go
# Linters, pinned; both build with Go 1.26. workflowcheck is versioned apart
# from the SDK (it does not depend on it) and checks our workflows for
# non-determinism whatever the SDK version (go.temporal.io/sdk v1.50.0 here).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
# How long each fuzz target runs.
FUZZTIME ?= 30s

.PHONY: build test check bench schema docs fuzz histories

# The version make build stamps: the tag, else the commit, -dirty when the
# work tree has changes; and the commit (the go command stamps none in a
# git worktree).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)

## build: the runbook binary, in bin/, stamped with VERSION and COMMIT (runbook version)
build:
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)" -o bin/runbook ./cmd/runbook

## test: vet, then every test, the two-node PostgreSQL cluster's included (RUNBOOK_CLUSTER=1; its first run builds the Temporal server into bin/, hence the longer timeout)
test:
	$(GO) vet ./...
	RUNBOOK_CLUSTER=1 $(GO) test -timeout 30m ./...

## check: vet, staticcheck and workflowcheck
check:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(WORKFLOWCHECK) ./...

# The end-to-end benchmarks: an embedded server, whole processes of the
# binary. Each runs its rounds inside one iteration (RUNBOOK_BENCH_ROUNDS
# overrides their number) and reports medians, so they run once, without
# -benchmem (their allocations are the server's). cmd/runbook has only
# whole-process benchmarks, and its TestMain builds the binary (a minute on
# a small machine), so it runs only with them. RUNBOOK_CLUSTER=1 adds
# BenchmarkClusterProcess: per-step time on a two-node PostgreSQL cluster
# beside the embedded server's.
E2E_BENCH := Embedded|Process|IdleRSS
E2E_PKGS := ./steps ./cmd/runbook ./engine/embedded ./engine/serve

## bench: every benchmark, the raw output in bin/bench.txt, then a table
bench:
	@mkdir -p bin
	$(GO) test -run '^$$' -bench . -skip '$(E2E_BENCH)' -benchmem $$($(GO) list ./... | grep -v '/cmd/runbook$$') | tee bin/bench.txt
	RUNBOOK_CLUSTER=1 $(GO) test -run '^$$' -bench '$(E2E_BENCH)' -benchtime=1x -count=1 $(E2E_PKGS) | tee -a bin/bench.txt
	@echo
	@awk 'BEGIN { printf "%-44s %14s %12s %10s  %s\n", "benchmark", "ns/op", "B/op", "allocs/op", "other" } \
		/^Benchmark/ { ns = b = a = "-"; other = ""; \
			for (i = 3; i < NF; i += 2) { \
				if ($$(i+1) == "ns/op") ns = $$i; else if ($$(i+1) == "B/op") b = $$i; \
				else if ($$(i+1) == "allocs/op") a = $$i; else other = other $$i " " $$(i+1) " " } \
			printf "%-44s %14s %12s %10s  %s\n", $$1, ns, b, a, other }' bin/bench.txt

## schema: regenerate the committed JSON Schemas: definitions, test files, the tokens file
schema:
	$(GO) build -o bin/runbook ./cmd/runbook
	for s in definition:runbook test:runbook-test tokens:runbook-tokens; do \
		bin/runbook schema $${s%%:*} > $${s#*:}.schema.json.tmp; \
		mv $${s#*:}.schema.json.tmp $${s#*:}.schema.json; \
	done

## docs: regenerate the committed step-kind reference
docs:
	$(GO) run ./cmd/runbook docs > steps/README.md.tmp
	mv steps/README.md.tmp steps/README.md

# The fuzz targets, as PACKAGE:TARGET: the loader, interpolation,
# approval requests, SSM import, hook payload parsing. A crash a run
# finds is written under the package's testdata/fuzz and replays as a
# regression test in every `go test` from then on: commit it.
FUZZ_TARGETS := ./engine:FuzzLoad ./engine:FuzzTemplate ./engine/interp:FuzzDecision \
	./engine/ssm:FuzzImport ./engine/serve:FuzzHookPayloads

## fuzz: each fuzz target for FUZZTIME (CI: a short run; locally: FUZZTIME=10m make fuzz)
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

## histories: record the missing histories of the replay corpus (engine/interp/testdata/histories; existing ones stay: they come from older builds)
histories:
	$(GO) test ./steps -run '^TestRecordHistories$$' -record -count=1
