#!/usr/bin/env bash
# The full test suite: a throwaway PostgreSQL, the static checks, `swift test`, and the real
# Segment/RudderStack SDKs against a live collector. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=infra/scripts/postgres.sh
source infra/scripts/postgres.sh

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ensure_postgres
pg_dir=$(mktemp -d /tmp/tracker-test-pg.XXXXXX)
pg_port=$(free_port)
collector_pid=""
cleanup() {
  if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null || true; fi
  stop_postgres "$pg_dir"
  rm -rf "$pg_dir"
}
trap cleanup EXIT
start_postgres "$pg_dir" "$pg_port"
server_url="postgres://postgres@127.0.0.1:$pg_port"
export TRACKER_TEST_DATABASE_URL="$server_url/postgres?sslmode=disable"
echo "== PostgreSQL for the tests on 127.0.0.1:$pg_port"

echo "== static checks"
bash infra/scripts/check.sh

echo "== build"
swift build --build-tests

echo "== swift test"
swift test --skip-build

echo "== migrations from the binary: three runners at once"
create_database "$pg_port" cli_migrate
bin="$root/.build/debug/tracker"
export DATABASE_URL="$server_url/cli_migrate?sslmode=disable"
pids=()
for _ in 1 2 3; do
  (cd /tmp && "$bin" migrate) &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
(cd /tmp && "$bin" migrate --status)
applied=$("$(pg_bindir)/psql" "$DATABASE_URL" -tAc "SELECT count(*) FROM schema_migrations")
expected=$(find migrations -name '*.sql' | wc -l)
[ "$applied" -eq "$expected" ] || { echo "expected $expected migrations applied, found $applied" >&2; exit 1; }

echo "== real SDKs against a live collector"
collector_port=$(free_port)
TRACKER_WRITE_KEYS="sdk-key:sdk" LOG_LEVEL=warning "$bin" collector --port "$collector_port" --host 127.0.0.1 &
collector_pid=$!
venv="$root/.build/sdk-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check segment-analytics-python rudder-sdk-python
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$collector_port/readyz" >/dev/null && break
  sleep 0.1
done
PATH="$(pg_bindir):$PATH" "$venv/bin/python" Tests/SDKTests/sdk_test.py \
  "http://127.0.0.1:$collector_port" "$DATABASE_URL" sdk-key

echo "== all tests passed"
