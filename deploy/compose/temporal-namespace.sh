#!/bin/sh
# Run by the temporal-namespace service (temporalio/admin-tools) once the
# server answers: register the namespace and the search attributes every
# runbook execution sets (engine.SearchAttributes; a test checks this list).
# TODO(after merge): replace with `runbook setup`.
set -eu
ns=${NAMESPACE:-default}
until temporal operator cluster health >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe -n "$ns" >/dev/null 2>&1 ||
  temporal operator namespace create -n "$ns" --retention 720h
for name in RunbookName RunbookVersion RunbookKind RunbookTrigger AlarmName; do
  temporal operator search-attribute list -n "$ns" | grep -qw "$name" ||
    temporal operator search-attribute create -n "$ns" --name "$name" --type Keyword
done
