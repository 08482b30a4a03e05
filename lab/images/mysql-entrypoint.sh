#!/bin/bash
# Entrypoint of the lab's mysql:8.0.23 stand-in (MariaDB 10.11 from Debian). Honours the official
# mysql image's variables: on first start with an empty datadir it initialises the database, sets
# the root password (MYSQL_ROOT_PASSWORD, or MYSQL_ALLOW_EMPTY_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD),
# creates MYSQL_DATABASE and MYSQL_USER/MYSQL_PASSWORD, runs /docker-entrypoint-initdb.d/*.sql|*.sh,
# then runs the server in the foreground. Later starts on the same datadir skip all that.
set -eo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) [Entrypoint]: $*" >&2; }

# `docker run mysql --some-option` means mysqld --some-option.
if [ "${1#-}" != "$1" ]; then set -- mysqld "$@"; fi
if [ "$1" = mysqld ]; then shift; set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ]; then exec "$@"; fi

# mariadbd --user=mysql needs its socket directory, and a hostPath datadir arrives owned by root.
mkdir -p /run/mysqld "$DATADIR"
chown mysql:mysql /run/mysqld "$DATADIR"

sql_escape() { printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g"; }

if [ ! -d "$DATADIR/mysql" ]; then
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    log "Database is uninitialized and password option is not specified"
    log "You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD"
    exit 1
  fi
  log "Initializing database files in $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null

  log "Starting temporary server"
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
  pid=$!
  for _ in $(seq 1 60); do
    if mariadb-admin --socket="$SOCKET" -uroot ping >/dev/null 2>&1; then break; fi
    sleep 1
  done

  if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    MYSQL_ROOT_PASSWORD="$(head -c 18 /dev/urandom | base64)"
    log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
  fi
  rootpw="$(sql_escape "${MYSQL_ROOT_PASSWORD:-}")"
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.user WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'root') OR host NOT IN ('localhost');"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$rootpw';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$rootpw';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$MYSQL_DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    fi
    if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
      echo "CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
      if [ -n "$MYSQL_DATABASE" ]; then
        echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$SOCKET" -uroot

  mysql_client=(mariadb --socket="$SOCKET" -uroot "-p${MYSQL_ROOT_PASSWORD}")
  if [ -n "$MYSQL_DATABASE" ]; then mysql_client+=("$MYSQL_DATABASE"); fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) log "running $f"; . "$f" ;;
      *.sql) log "running $f"; "${mysql_client[@]}" <"$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | "${mysql_client[@]}" ;;
    esac
  done

  log "Stopping temporary server"
  kill "$pid"
  wait "$pid" || true
  log "MySQL init process done. Ready for start up."
fi

exec "$@" --user=mysql --datadir="$DATADIR"
