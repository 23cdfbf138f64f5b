#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, trust, db "test") and MariaDB (127.0.0.1:3306, root, db
# "test") are installed, running and have the test database. Used by .ci/run.
set -uo pipefail

need_apt_update=1
apt_install() {
  if [ "$need_apt_update" = 1 ]; then apt-get update -qq >/dev/null 2>&1 || true; need_apt_update=0; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing postgresql"; apt_install postgresql
fi
if [ ! -x /usr/sbin/mariadbd ]; then
  echo "installing mariadb-server"; apt_install mariadb-server
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! mysqladmin -uroot -h127.0.0.1 status >/dev/null 2>&1; then
  echo "starting mariadb"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
for _ in $(seq 1 60); do
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && mysqladmin -uroot -h127.0.0.1 status >/dev/null 2>&1 && break
  sleep 1
done
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null 2>&1 || true
mysql -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS test" >/dev/null 2>&1 || true
pg_isready -h 127.0.0.1 -p 5432 -q && echo "postgresql: up" || echo "postgresql: DOWN"
mysqladmin -uroot -h127.0.0.1 status >/dev/null 2>&1 && echo "mariadb: up" || echo "mariadb: DOWN"
