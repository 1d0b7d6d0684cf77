#!/usr/bin/env bash
# A local PostgreSQL for the tests: installs the Debian package if needed, starts the cluster,
# makes a role and a database, and prints the SQLAlchemy URL (TEST_POSTGRES_URL).
# Set SKIP_POSTGRES=1 to test on SQLite only.
set -euo pipefail
DB=${TEST_POSTGRES_DB:-wengang_test}
ROLE=wengang
PASSWORD=wengang
log() { echo "[postgres] $*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing the postgresql Debian package"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION main"; then
  log "creating cluster $VERSION/main"
  if [ "$(id -u)" = 0 ]; then pg_createcluster "$VERSION" main >&2; else sudo -n pg_createcluster "$VERSION" main >&2; fi
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $3}')
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting cluster $VERSION/main on port $PORT"
  if [ "$(id -u)" = 0 ]; then pg_ctlcluster "$VERSION" main start >&2; else sudo -n pg_ctlcluster "$VERSION" main start >&2; fi
fi
for _ in $(seq 1 30); do
  as_postgres psql -p "$PORT" -Atqc "select 1" >/dev/null 2>&1 && break
  sleep 1
done
as_postgres psql -p "$PORT" -Atqc "select 1 from pg_roles where rolname='$ROLE'" | grep -q 1 \
  || as_postgres psql -p "$PORT" -qc "create role $ROLE login password '$PASSWORD'" >&2
as_postgres psql -p "$PORT" -Atqc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || as_postgres psql -p "$PORT" -qc "create database $DB owner $ROLE" >&2
echo "postgresql://$ROLE:$PASSWORD@localhost:$PORT/$DB"
