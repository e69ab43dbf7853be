#!/usr/bin/env bash
# The benchmark suite: every benchmark on a fresh private PostgreSQL, written to docs/benchmarks.md
# with charts (docs/bench-*.png). Not part of the test command: it takes about 40 minutes, most of
# it seeding 10 million events and timing the raw GROUP BY and plain SQL queries against them.
#   bash infra/bench/run.sh            # full
#   QUICK=1 bash infra/bench/run.sh    # smaller data set and shorter runs, to try the suite out
# A benchmark run on its own: write its Markdown to OUT/NAME.md (stream, protocols, standby, analysis, with
# query.md beside analysis.md for the explorer's reads), then replace only its sections and goals:
#   python3 infra/bench/report.py OUT docs/benchmarks.md --command - --postgres - --partial
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
standby_pg=$(mktemp -d /tmp/tracker-bench-standby.XXXXXX)
trap 'stop_postgres "$standby_pg"; stop_postgres "$pg"; rm -rf "$standby_pg" "$pg"' EXIT
step() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
# The machine's load average as a benchmark starts and ends, for the report: the machine is shared.
load() { echo "$(date -u +%H:%M:%S) $1 $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"; }
# run NAME COMMAND…: a benchmark whose report goes to NAME.md, with its command and the load around it.
run() {
  local name=$1
  shift
  echo "tracker-bench ${*:2}" >"$out/$name.command"
  load "$name-start"
  "$@" >"$out/$name.md"
  load "$name-end"
}

step "1/13 release build"
{ swift build -c release --product tracker && swift build -c release --product tracker-bench; } >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; exit 1; }
bin="$root/.build/release/tracker"
bench="$root/.build/release/tracker-bench"
venv=$(charts_venv)

step "2/13 fresh PostgreSQL"
ensure_postgres
port=$(free_port)
start_postgres "$pg" "$port"
url() { echo "postgres://postgres@127.0.0.1:$port/$1?sslmode=disable"; }
for db in ingest drain query stream protocols; do
  create_database "$port" "$db"
  DATABASE_URL=$(url "$db") LOG_LEVEL=warning "$bin" migrate >/dev/null
done
export LOG_LEVEL=warning

# First, while the cluster is small: the standby is a copy of all of it (pg_basebackup). It is stopped
# and its database dropped afterwards, so the other benchmarks run on the primary alone.
step "3/13 reads on a standby vs. the primary at half the sustainable ingest; replay lag; connections per role"
create_database "$port" standby
standby_port=$(free_port)
start_standby "$standby_pg" "$standby_port" "$port"
DATABASE_URL=$(url standby) run standby "$bench" standby \
  --read-database-url "postgres://postgres@127.0.0.1:$standby_port/standby?sslmode=disable" \
  ${quick:+--events 200000 --seconds 5 --rounds 1}
stop_postgres "$standby_pg"
"$(pg_bindir)/dropdb" -h 127.0.0.1 -p "$port" -U postgres standby

step "4/13 ingest: batches and single events vs. one transaction per event (${seconds} s each)"
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
# The same single events as a user measures them: wrk against a separate collector process.
bash infra/bench/collector-wrk.sh "$bin" "$bench" "$(url ingest)" "$seconds" 3 >"$out/collector-wrk.md"
"$(pg_bindir)/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d ingest -c "TRUNCATE ingest_staging"

step "5/13 drain: 200,000 staged events, one and two replicas vs. the SQL-only move"
DATABASE_URL=$(url drain) "$bench" drain --rows 200000 --rounds "$rounds" >"$out/drain.md"

step "6/13 pipeline: ingest and drain at once, sustained, vs. the SQL-only move"
DATABASE_URL=$(url drain) "$bench" pipeline ${quick:+--seconds 5 --warmup 2 --rounds 1} >"$out/pipeline.md"

step "7/13 freshness: 2xx to visible in GET /v1/events, at 1,000/s and 80% of the maximum"
"$venv/bin/python" infra/bench/freshness.py --binary "$bin" --seconds "$((seconds * 3))" \
  --json "$out/freshness.json" >"$out/freshness.md"

step "8/13 reads: $events stored events, query API vs. the raw GROUP BY (seeding first)"
DATABASE_URL=$(url query) run query "$bench" query --events "$events" --raw-samples 3

# Before the drain onto the stored events, which adds to them: analysis reuses the data set as is.
step "9/13 analysis: funnel, retention, breakdown on the $events events vs. plain SQL; drain with vs. without the upkeep"
DATABASE_URL=$(url query) run analysis "$bench" analysis --events "$events" --drain-database "$(url drain)" \
  --rounds "$rounds" ${quick:+--samples 20}

step "10/13 drain again onto the $events stored events"
DATABASE_URL=$(url query) "$bench" drain --rows 200000 --onto-stored \
  --empty-database "$(url drain)" --rounds "$rounds" >"$out/drain-stored.md"

step "11/13 live tail: stored → delivered to 50 stream clients at 1,000 events/s; throughput with them vs. none"
DATABASE_URL=$(url stream) run stream "$bench" stream ${quick:+--seconds 5 --rounds 1}

step "12/13 SDK protocols: PostHog /batch/ and Snowplow tp2 vs. Segment /v1/batch"
DATABASE_URL=$(url protocols) run protocols "$bench" protocols ${quick:+--seconds 3 --rounds 1}

step "13/13 report and charts"
"$venv/bin/python" infra/bench/report.py "$out" docs/benchmarks.md \
  --command "${quick:+QUICK=1 }bash infra/bench/run.sh" --postgres "$("$(pg_bindir)/postgres" --version)"
step "wrote docs/benchmarks.md and docs/bench-*.png"
