#!/usr/bin/env bash
# Install PgBouncer (Debian package `pgbouncer`) for the migration-lock tests, which start their
# own instance on a free local port with a config of their own in a temp dir
# (tests/runtime/test_migration_lock_pgbouncer.py). The package's own service is not used.
set -uo pipefail

if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  echo "installing pgbouncer"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null 2>&1
fi
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
  echo "pgbouncer: $( (command -v pgbouncer || echo /usr/sbin/pgbouncer) | head -n1)"
else
  echo "pgbouncer: MISSING"
  exit 1
fi
