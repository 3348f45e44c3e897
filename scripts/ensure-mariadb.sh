#!/usr/bin/env bash
# Makes sure a local MariaDB answers on its socket (the access-layer tests need one). Starts it when it is
# installed but stopped; installs it only when LORIS_EPHYS_INSTALL_MARIADB=1 (CI) and it is missing.
set -euo pipefail
sock=/run/mysqld/mysqld.sock
alive() { mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1 || mysqladmin --socket="$sock" -uroot ping >/dev/null 2>&1; }
if alive; then exit 0; fi
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  if [ "${LORIS_EPHYS_INSTALL_MARIADB:-0}" = 1 ] && [ "$(id -u)" = 0 ]; then
    echo "ensure-mariadb: installing mariadb-server" >&2
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server) >/dev/null
  else
    echo "ensure-mariadb: MariaDB is not installed (database tests will fail); install mariadb-server" >&2
    exit 1
  fi
fi
echo "ensure-mariadb: starting MariaDB" >&2
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
for _ in $(seq 1 100); do alive && exit 0; sleep 0.2; done
echo "ensure-mariadb: MariaDB did not answer within 20 s" >&2
exit 1
