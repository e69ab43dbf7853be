#!/usr/bin/env bash
# The benchmark suite: every benchmark on a fresh private PostgreSQL, written to docs/benchmarks.md
# with charts (docs/bench-*.png). Not part of the test command: it takes about 30 minutes, most of
# it seeding 10 million events and timing the raw GROUP BY queries against them.
#   bash infra/bench/run.sh            # full
#   QUICK=1 bash infra/bench/run.sh    # smaller data set and shorter runs, to try the suite out
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=infra/scripts/postgres.sh
source infra/scripts/postgres.sh
# shellcheck source=infra/scripts/tools.sh
source infra/scripts/tools.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

quick=${QUICK:-}
events=${quick:+200000}
events=${events:-10000000}
seconds=${quick:+3}
seconds=${seconds:-10}
rounds=${quick:+1}
rounds=${rounds:-5}  # of each drain: its ratios are taken within a round
out=$(mktemp -d /tmp/tracker-bench.XXXXXX)
pg=$(mktemp -d /tmp/tracker-bench-pg.XXXXXX)  # its own folder: the server's user cannot enter $out
trap 'stop_postgres "$pg"; rm -rf "$pg"' EXIT
step() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

step "1/9 release build"
{ swift build -c release --product tracker && swift build -c release --product tracker-bench; } >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; exit 1; }
bin="$root/.build/release/tracker"
bench="$root/.build/release/tracker-bench"
venv=$(charts_venv)

step "2/9 fresh PostgreSQL"
ensure_postgres
port=$(free_port)
start_postgres "$pg" "$port"
url() { echo "postgres://postgres@127.0.0.1:$port/$1?sslmode=disable"; }
for db in ingest drain query; do
  create_database "$port" "$db"
  DATABASE_URL=$(url "$db") LOG_LEVEL=warning "$bin" migrate >/dev/null
done
export LOG_LEVEL=warning

step "3/9 ingest: batches and single events vs. one transaction per event (${seconds} s each)"
DATABASE_URL=$(url ingest) "$bench" ingest --seconds "$seconds" --warmup 2 >"$out/ingest.md"

# PostgreSQL alone committing one row per transaction, no HTTP and no Swift: what the database
# itself can do, so a reader can place both collector figures.
message='{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}},"timestamp":"2026-11-25T12:00:00Z"}'
cat >"$out/insert.sql" <<SQL
INSERT INTO ingest_staging (received_at, source, kind, implied_type, message_id, payload)
VALUES (now(), 'default', 'segment', 'track', md5(random()::text), '$message');
SQL
{
  echo "| pgbench clients | transactions/s (one event each) | mean latency ms |"
  echo "|---|---|---|"
  for clients in 1 16 64; do
    result=$("$(pg_bindir)/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c "$clients" -j 2 \
      -T "$seconds" -f "$out/insert.sql" ingest 2>&1)
    tps=$(sed -n 's/^tps = \([0-9]*\).*/\1/p' <<<"$result")
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$result")
    echo "| $clients | $tps | $latency |"
  done
} >"$out/pgbench.md"
"$(pg_bindir)/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d ingest -c "TRUNCATE ingest_staging"

step "4/9 drain: 200,000 staged events, one and two replicas vs. the SQL-only move"
DATABASE_URL=$(url drain) "$bench" drain --rows 200000 --rounds "$rounds" >"$out/drain.md"

step "5/9 pipeline: ingest and drain at once, sustained, vs. the SQL-only move"
DATABASE_URL=$(url drain) "$bench" pipeline ${quick:+--seconds 5 --warmup 2 --rounds 1} >"$out/pipeline.md"

step "6/9 freshness: 2xx to visible in GET /v1/events, at 1,000/s and 80% of the maximum"
"$venv/bin/python" infra/bench/freshness.py --binary "$bin" --seconds "$((seconds * 3))" \
  --json "$out/freshness.json" >"$out/freshness.md"

step "7/9 reads: $events stored events, query API vs. the raw GROUP BY (seeding first)"
DATABASE_URL=$(url query) "$bench" query --events "$events" --raw-samples 3 >"$out/query.md"

step "8/9 drain again onto the $events stored events"
DATABASE_URL=$(url query) "$bench" drain --rows 200000 --onto-stored \
  --empty-database "$(url drain)" --rounds "$rounds" >"$out/drain-stored.md"

step "9/9 report and charts"
"$venv/bin/python" infra/bench/report.py "$out" docs/benchmarks.md \
  --command "${quick:+QUICK=1 }bash infra/bench/run.sh" --postgres "$("$(pg_bindir)/postgres" --version)"
step "wrote docs/benchmarks.md and docs/bench-*.png"
