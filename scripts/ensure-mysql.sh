#!/usr/bin/env bash
# Makes sure a MySQL-compatible server answers on 127.0.0.1:3306: uses the one
# that is running, else installs Debian's mariadb-server and starts it.
set -euo pipefail

answers() { (exec 3<>/dev/tcp/127.0.0.1/3306) >/dev/null 2>&1; }

if answers; then
  echo "MySQL/MariaDB answers on 127.0.0.1:3306"
  exit 0
fi
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  echo "installing mariadb-server …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
fi
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
(/usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 --port=3306 >/tmp/mariadbd.log 2>&1 &)
for _ in $(seq 1 60); do
  if answers; then
    # Debian's root uses socket authentication; tests connect over TCP as root without a password.
    mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" 2>/dev/null || true
    echo "MariaDB started"
    exit 0
  fi
  sleep 1
done
echo "MariaDB did not start; see /tmp/mariadbd.log" >&2
exit 1
