#!/bin/sh
# Run at every `docker compose up` by the temporal-schema service
# (temporalio/admin-tools, the server's version): create Temporal's two
# PostgreSQL databases and bring their schemas to that version, from the
# schemas built into temporal-sql-tool. Every step is idempotent: create
# passes over an existing database, setup-schema over a schema already past
# 0.0, update-schema applies only what is missing.
set -eu
sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
    -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"
}
for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*} schema=postgresql/v12/${db#*:}
  sql --db "$name" create
  sql --db "$name" setup-schema -v 0.0
  sql --db "$name" update-schema --schema-name "$schema"
done
