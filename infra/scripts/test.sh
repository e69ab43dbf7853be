#!/usr/bin/env bash
# The full test suite: a throwaway PostgreSQL, the static checks, `swift test`, and the real
# Segment/RudderStack SDKs against a live collector. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=infra/scripts/postgres.sh
source infra/scripts/postgres.sh
# shellcheck source=infra/scripts/tools.sh
source infra/scripts/tools.sh

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ensure_postgres
pg_dir=$(mktemp -d /tmp/tracker-test-pg.XXXXXX)
pg_port=$(free_port)
collector_pid=""
query_pid=""
cleanup() {
  if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null || true; fi
  if [ -n "$query_pid" ]; then kill "$query_pid" 2>/dev/null || true; fi
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
venv=$(tools_venv)
wait_ready() {
  for _ in $(seq 1 100); do
    curl -fs "$1/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "$1 did not become ready" >&2
  return 1
}
wait_ready "http://127.0.0.1:$collector_port"
PATH="$(pg_bindir):$PATH" "$venv/bin/python" Tests/SDKTests/sdk_test.py \
  "http://127.0.0.1:$collector_port" "$DATABASE_URL" sdk-key

echo "== API contract: OpenAPI documents validated, schemathesis against the live collector and query API"
query_port=$(free_port)
LOG_LEVEL=warning "$bin" query --port "$query_port" --host 127.0.0.1 &
query_pid=$!
wait_ready "http://127.0.0.1:$query_port"
contract=$(mktemp -d /tmp/tracker-contract.XXXXXX)
for server in "collector:$collector_port" "query:$query_port"; do
  name=${server%%:*}
  port=${server##*:}
  curl -fsS "http://127.0.0.1:$port/openapi.json" -o "$contract/$name.json"
  "$venv/bin/openapi-spec-validator" "$contract/$name.json"
  # Any 5xx, or an answer its document does not describe, fails the run.
  (cd "$contract" && "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --url "http://127.0.0.1:$port" --max-examples 25 --no-color \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    -H "Authorization: Basic $(printf 'sdk-key:' | base64)")
done
rm -rf "$contract"

echo "== all tests passed"
