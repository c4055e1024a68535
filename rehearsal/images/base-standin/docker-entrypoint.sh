#!/usr/bin/env bash
# Entrypoint of the postgres base-image STAND-IN (pg-trickle-infra release rehearsal). Written
# here, not copied: it honours the contract of the official postgres image's entrypoint that
# pg_trickle's image relies on.
#   - `docker run IMAGE -c name=value`: arguments starting with "-" go to postgres.
#   - POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) required for a new data directory, unless
#     POSTGRES_HOST_AUTH_METHOD=trust; POSTGRES_USER (default postgres), POSTGRES_DB (default
#     $POSTGRES_USER), POSTGRES_INITDB_ARGS, PGDATA.
#   - Started as root: prepares $PGDATA and the socket directory, then runs as postgres (999).
#   - An empty $PGDATA: initdb (which copies postgresql.conf.sample), password authentication
#     for TCP, then a temporary server listening on the unix socket only runs
#     /docker-entrypoint-initdb.d/* (*.sh, *.sql, *.sql.gz) in $POSTGRES_DB as $POSTGRES_USER,
#     and stops. Then `exec postgres ...`, which listens on TCP (listen_addresses = '*').
set -Eeo pipefail

# file_env VAR [default]: VAR or the content of the file named by VAR_FILE.
file_env() {
  local var=$1 fileVar="${1}_FILE" def=${2:-}
  if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
    echo >&2 "error: both $var and $fileVar are set (but are exclusive)"
    exit 1
  fi
  local val=$def
  if [ -n "${!var:-}" ]; then val=${!var}; elif [ -n "${!fileVar:-}" ]; then val=$(<"${!fileVar}"); fi
  export "$var"="$val"
  unset "$fileVar"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
  export POSTGRES_HOST_AUTH_METHOD
  DATABASE_ALREADY_EXISTS=
  [ -s "$PGDATA/PG_VERSION" ] && DATABASE_ALREADY_EXISTS=true
  return 0
}

create_directories() {
  local user; user=$(id -u)
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql || :
  if [ "$user" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres: '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres: '{}' +
  fi
}

verify_minimum_env() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       (Or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password.)
MSG
    exit 1
  fi
}

init_database_dir() {
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as upstream
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
}

process_sql() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname "$POSTGRES_DB" "$@"
}

# psql interpolates :'db' only in statements it reads, not in --command: hence stdin.
setup_db() {
  local exists
  exists=$(POSTGRES_DB=postgres process_sql --tuples-only --no-align --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
  if [ -z "$exists" ]; then
    POSTGRES_DB=postgres process_sql --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    echo
  fi
}

process_init_files() {
  local f
  echo
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) echo "$0: running $f"; process_sql -f "$f"; echo ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | process_sql; echo ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done
}

# The temporary server: the user's postgres arguments, no TCP (only the unix socket).
temp_server_start() {
  shift # "postgres"
  set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
}

temp_server_stop() {
  PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

main() {
  if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
  fi
  if [ "$1" = postgres ]; then
    setup_env
    create_directories
    if [ "$(id -u)" = 0 ]; then
      exec setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/lib/postgresql "${BASH_SOURCE[0]}" "$@"
    fi
    if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
      verify_minimum_env
      init_database_dir
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      temp_server_start "$@"
      setup_db
      process_init_files
      temp_server_stop
      unset PGPASSWORD
      echo
      echo 'PostgreSQL init process complete; ready for start up.'
      echo
    else
      echo
      echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
      echo
    fi
  fi
  exec "$@"
}

main "$@"
