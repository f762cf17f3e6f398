#!/bin/sh
# Creates or updates the login role hss_bi for BI tools (Grafana, Metabase, ...) and makes it a
# member of hss_reader, the read-only role the migrations create. The `bi-setup` service of
# docker-compose.yml runs it once the worker has migrated; it is idempotent, so running it again
# changes the password. Connection: the libpq variables PGHOST, PGDATABASE, PGUSER, PGPASSWORD.
set -eu
: "${HSS_READER_PASSWORD:?HSS_READER_PASSWORD must hold the password for hss_bi}"

# The worker creates hss_reader when it migrates at boot: wait for it (at most 5 minutes).
tries=0
until [ "$(psql -XtAc "select 1 from pg_catalog.pg_roles where rolname = 'hss_reader'" 2>/dev/null)" = "1" ]; do
  tries=$((tries + 1))
  if [ "$tries" -ge 150 ]; then
    echo "bi-role: role hss_reader did not appear within 5 minutes: has the worker migrated the database?" >&2
    exit 1
  fi
  sleep 2
done

# The password goes in as a psql variable (:'pw' quotes it), never into the SQL text.
psql -X -q -v ON_ERROR_STOP=1 -v pw="$HSS_READER_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE hss_bi LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'hss_bi') \gexec
ALTER ROLE hss_bi WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
GRANT hss_reader TO hss_bi;
SQL
echo "bi-role: hss_bi can log in and reads through hss_reader"
