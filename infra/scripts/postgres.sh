#!/usr/bin/env bash
# Helpers to run a private PostgreSQL server in a folder of its own (sourced by the other scripts).
# Runs the server as the `postgres` OS user when invoked as root, as initdb refuses root.

pg_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}

# Installs the PostgreSQL server with apt when it is absent.
ensure_postgres() {
  if pg_bindir >/dev/null; then return 0; fi
  echo "PostgreSQL server not found; installing it with apt" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  pg_bindir >/dev/null
}

# Runs a command as the user that owns the cluster.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# start_postgres DIR PORT [OPTIONS]: creates the cluster on first use, starts it (with OPTIONS, extra
# server settings), waits until it accepts connections.
# Checkpoints are spaced out (max_wal_size, checkpoint_timeout) as on any write-heavy server: at the
# 1 GB default a sustained ingest checkpointed every few seconds, and each checkpoint makes the next
# write to every page log the whole page. Commits stay durable (fsync, synchronous_commit on).
start_postgres() {
  local dir=$1 port=$2 options=${3:-} bin
  bin=$(pg_bindir)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  if ! as_pg_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_pg_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=1000 -c shared_buffers=256MB \
      -c max_wal_size=8GB -c checkpoint_timeout=15min $options" \
      >/dev/null || { tail -20 "$dir/server.log" >&2; return 1; }
  fi
  for _ in $(seq 1 60); do
    "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q && return 0
    sleep 0.5
  done
  echo "PostgreSQL in $dir did not become ready" >&2
  return 1
}

stop_postgres() {
  local dir=$1 bin
  bin=$(pg_bindir)
  [ -f "$dir/data/postmaster.pid" ] && as_pg_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
  return 0
}

# create_database PORT NAME: creates NAME unless it exists.
create_database() {
  local port=$1 name=$2 bin
  bin=$(pg_bindir)
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" \
    | grep -q 1 || "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
}

# start_pgbouncer DIR PORT SERVER_PORT: PgBouncer in transaction mode on 127.0.0.1:PORT in front of
# the server on 127.0.0.1:SERVER_PORT, every database, trusting the `postgres` user as that server
# does (also on its admin console, database pgbouncer); its files in DIR. Runs as the `postgres` OS
# user when invoked as root (PgBouncer refuses root). postgres-nio sends the role's statement_timeout
# as a startup parameter, which PgBouncer 1.18 refuses unless told to ignore it: through the pooler
# the server's own setting applies.
start_pgbouncer() {
  local dir=$1 port=$2 server_port=$3 bin
  bin=$(pg_bindir)
  mkdir -p "$dir"
  echo '"postgres" ""' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$server_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
ignore_startup_parameters = statement_timeout
server_login_retry = 1
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
INI
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
  as_pg_user "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -d -q "$dir/pgbouncer.ini" || { tail -20 "$dir/pgbouncer.log" >&2; return 1; }
  for _ in $(seq 1 60); do
    "$bin/pg_isready" -h 127.0.0.1 -p "$port" -U postgres -q && return 0
    sleep 0.5
  done
  echo "PgBouncer in $dir did not become ready" >&2
  return 1
}

# stop_pgbouncer DIR: stops the PgBouncer that start_pgbouncer started there (SIGINT: at once).
stop_pgbouncer() {
  local dir=$1 pid
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null) || return 0
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}


# start_standby DIR PORT PRIMARY_PORT: a hot standby of the server on 127.0.0.1:PRIMARY_PORT,
# streaming from it (pg_basebackup -R on first use), started in DIR on PORT as start_postgres starts
# a server, with the primary's max_connections: a hot standby refuses to start with fewer.
start_standby() {
  local dir=$1 port=$2 primary_port=$3 bin connections
  bin=$(pg_bindir)
  connections=$("$bin/psql" -h 127.0.0.1 -p "$primary_port" -U postgres -d postgres -tAc "SHOW max_connections") \
    || return 1
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg_user "$bin/pg_basebackup" -R -X stream -c fast -D "$dir/data" \
      -d "postgres://postgres@127.0.0.1:$primary_port/postgres" || return 1
  fi
  start_postgres "$dir" "$port" "-c max_connections=$connections"
}
