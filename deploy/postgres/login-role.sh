#!/bin/sh
# Creates or updates a login role that is a member of exactly one of the group roles the
# migrations create: hss_writer (the worker: reads and writes the data, no DDL) or hss_reader (BI
# tools: SELECT on the public surface). docker-compose.yml runs it as the database owner after
# `migrate`, for hss_worker and hss_bi. It is idempotent: run again, it sets the password again and
# revokes any other role the login was granted meanwhile.
#   LOGIN_ROLE, GROUP_ROLE (hss_writer or hss_reader), LOGIN_PASSWORD; the connection comes from
#   the libpq variables PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
set -eu
: "${LOGIN_ROLE:?LOGIN_ROLE must name the login to create or update, e.g. hss_worker}"
: "${LOGIN_PASSWORD:?LOGIN_PASSWORD must hold the password for the login $LOGIN_ROLE}"
case "${GROUP_ROLE:-}" in
  hss_writer | hss_reader) ;;
  *)
    echo "login-role: GROUP_ROLE must be hss_writer or hss_reader, not \"${GROUP_ROLE:-}\"" >&2
    exit 64
    ;;
esac

group_exists() {
  psql -XtA -v grp="$GROUP_ROLE" <<'SQL'
SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'grp';
SQL
}

# The migrations create the group roles: wait for them (at most 5 minutes) when run early.
tries=0
until [ "$(group_exists 2>/dev/null)" = "1" ]; do
  tries=$((tries + 1))
  if [ "$tries" -ge 150 ]; then
    echo "login-role: role $GROUP_ROLE did not appear within 5 minutes: has \`hss-baseline-sync migrate\` run?" >&2
    exit 1
  fi
  sleep 2
done

# Names and the password go in as psql variables (:'v' quotes a literal, :"v" an identifier),
# never into the SQL text. The login running this and the database's owner are refused: making
# either a plain member of one group would strip the rights it needs.
psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -v login="$LOGIN_ROLE" -v grp="$GROUP_ROLE" -v pw="$LOGIN_PASSWORD" <<'SQL'
SELECT :'login' = current_user
    OR EXISTS (SELECT 1 FROM pg_catalog.pg_database d
                WHERE d.datname = current_database() AND pg_catalog.pg_get_userbyid(d.datdba) = :'login')
    AS refused \gset
\if :refused
  \warn login-role: :login runs this script or owns the database, choose another name for the login
  DO $$ BEGIN RAISE EXCEPTION 'login-role: refused'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN', :'login')
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'login') \gexec
ALTER ROLE :"login" WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'pw';
SELECT format('REVOKE %I FROM %I', g.rolname, :'login')
  FROM pg_catalog.pg_auth_members m
  JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
 WHERE m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :'login') AND g.rolname <> :'grp' \gexec
SELECT format('GRANT %I TO %I', :'grp', :'login') WHERE NOT pg_catalog.pg_has_role(:'login', :'grp', 'MEMBER') \gexec
SQL
echo "login-role: $LOGIN_ROLE can log in and is a member of $GROUP_ROLE only"
