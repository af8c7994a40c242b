#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster and creates the role and database the server test suite uses.
set -euo pipefail
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
as_pg() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAtc \"$1\""; }
[ "$(as_pg "select 1 from pg_roles where rolname='kasir'")" = 1 ] || as_pg "create role kasir login createdb password 'kasir'"
[ "$(as_pg "select 1 from pg_database where datname='kasir_test'")" = 1 ] || as_pg "create database kasir_test owner kasir"
echo "postgres ready: kasir_test"
