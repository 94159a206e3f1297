#!/usr/bin/env bash
# Install (from Debian's packages, if missing) and start a local PostgreSQL for the storage
# tests, with a role (allowed to create databases) and a database for them; prints the URL
# to use as LFR_TEST_PG_URL.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi
read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
pg_ctlcluster "$version" "$cluster" start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='lfr'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE lfr LOGIN PASSWORD 'lfr'\"" >&2
# The tests create databases of their own: one migrated per pytest worker, empty ones for the
# migration tests (tests/databases.py).
su postgres -c "psql -qc \"ALTER ROLE lfr CREATEDB\"" >&2
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='lfr_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O lfr lfr_test" >&2
echo "postgresql+psycopg://lfr:lfr@127.0.0.1:5432/lfr_test"
