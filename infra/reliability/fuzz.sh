#!/usr/bin/env bash
# API fuzzing, the long form of the test command's contract check: schemathesis against both
# OpenAPI documents (300 examples per operation, stateful links included) with a real database and a
# worker moving what the collector accepts, then the hostile-input corpus, then libFuzzer with
# AddressSanitizer on the JSON scanner. Fails on any 5xx, any answer its document does not describe,
# staged rows the worker cannot move, or a fuzzer finding.
#   bash infra/reliability/fuzz.sh [examples per operation, default 300] [tracker binary] [fuzz seconds, default 120]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=infra/scripts/postgres.sh
source infra/scripts/postgres.sh
# shellcheck source=infra/scripts/tools.sh
source infra/scripts/tools.sh
examples=${1:-300}
bin=$(realpath "${2:-.build/release/tracker}")
fuzz_seconds=${3:-120}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/tracker-fuzz.XXXXXX)
pg=$(mktemp -d /tmp/tracker-fuzz-pg.XXXXXX)  # its own folder: the server's user cannot enter $work
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_postgres "$pg"
  rm -rf "$work" "$pg"
}
trap cleanup EXIT

ensure_postgres
pg_port=$(free_port)
start_postgres "$pg" "$pg_port"
create_database "$pg_port" fuzz
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/fuzz?sslmode=disable" LOG_LEVEL=warning
"$bin" migrate >/dev/null
venv=$(tools_venv)
collector_port=$(free_port)
query_port=$(free_port)
worker_port=$(free_port)
TRACKER_WRITE_KEYS="fuzz-key:fuzz" TRACKER_BODY_TIMEOUT=3 "$bin" collector --port "$collector_port" --host 127.0.0.1 &
pids+=($!)
"$bin" query --port "$query_port" --host 127.0.0.1 &
pids+=($!)
"$bin" worker --port "$worker_port" --host 127.0.0.1 &
pids+=($!)
for port in "$collector_port" "$query_port" "$worker_port"; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
done

for port in "$collector_port" "$query_port"; do
  echo "== schemathesis, $examples examples per operation: http://127.0.0.1:$port/openapi.json"
  (cd "$work" && "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --url "http://127.0.0.1:$port" --max-examples "$examples" --no-color \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    -H "Authorization: Basic $(printf 'fuzz-key:' | base64)") | grep -E "passed|failed|generated|Failures|ST[0-9]"
done

echo "== hostile input"
python3 infra/reliability/hostile.py "http://127.0.0.1:$collector_port" --write-key fuzz-key --body-timeout 3

echo "== everything staged is moved"
psql_fuzz() { "$(pg_bindir)/psql" "$DATABASE_URL" -qtAX -c "$1"; }
for _ in $(seq 1 120); do
  [ "$(psql_fuzz "SELECT count(*) FROM ingest_staging")" = 0 ] && break
  sleep 0.5
done
staged=$(psql_fuzz "SELECT count(*) FROM ingest_staging")
echo "   staging $staged, events $(psql_fuzz "SELECT count(*) FROM events"), failed_events by reason:" \
  "$(psql_fuzz "SELECT string_agg(reason || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT reason, count(*) n FROM failed_events GROUP BY 1) r")"
[ "$staged" = 0 ] || { echo "staged rows the worker did not move" >&2; exit 1; }
echo "== libFuzzer + AddressSanitizer on the JSON scanner, $fuzz_seconds s"
# The linker's notes about ASan's local symbols are noise: shown only when the build fails.
mapfile -t core_sources < <(find Sources/TrackerCore -name '*.swift' | sort)
swiftc -O -sanitize=fuzzer,address -parse-as-library "${core_sources[@]}" Tests/Fuzz/ScannerFuzzer.swift \
  -o "$work/scanner-fuzzer" >"$work/fuzzer-build.log" 2>&1 || { cat "$work/fuzzer-build.log" >&2; exit 1; }
mkdir -p "$work/corpus"
printf '%s' '{"batch":[{"type":"track","event":"E","userId":"u","properties":{"a":[1,2.5e3,null,true]}}]}' \
  >"$work/corpus/batch.json"
printf '%s' '{"userId":"u\u00e9","event":"E","context":{"ip":"1"},"messageId":"m"}' >"$work/corpus/track.json"
printf '%s' '{"context":{"k":"v"},"sentAt":"2026-01-01T00:00:00Z","batch":[{"type":"alias","userId":"e\u0301\u0301","previousId":"p"}]}' \
  >"$work/corpus/envelope.json"
fuzz_rc=0
(cd "$work" && ./scanner-fuzzer -max_total_time="$fuzz_seconds" -max_len=4096 -print_final_stats=1 corpus \
  >"$work/fuzzer.log" 2>&1) || fuzz_rc=$?
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|Fatal|SUMMARY" "$work/fuzzer.log" || true
[ "$fuzz_rc" = 0 ] || { tail -40 "$work/fuzzer.log" >&2; echo "the fuzzer found a crash" >&2; exit 1; }

echo "fuzz: passed"
