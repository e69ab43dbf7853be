#!/usr/bin/env bash
# Runs the whole product on this machine: PostgreSQL (its own, in .tracker/postgres, unless
# DATABASE_URL is set), migrations, then `tracker all`. Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=infra/scripts/postgres.sh
source infra/scripts/postgres.sh

if [ -z "${DATABASE_URL:-}" ]; then
  ensure_postgres
  port=${TRACKER_PG_PORT:-54329}
  start_postgres "$root/.tracker/postgres" "$port"
  create_database "$port" tracker
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/tracker?sslmode=disable"
  echo "PostgreSQL: $DATABASE_URL (data in .tracker/postgres; stop it with: $(pg_bindir)/pg_ctl -D .tracker/postgres/data stop)"
fi

swift build -c release --product tracker
bin="$root/.build/release/tracker"
"$bin" migrate

host=${TRACKER_PUBLIC_HOST:-localhost}
cat <<URLS
Collector: http://$host:8080   (POST /v1/batch, /v1/track, …, POST /events)
Explorer:  http://$host:8081/  (open it in a browser: the events as they arrive, people, failed events)
Query:     http://$host:8081   (GET /v1/events, /v1/stats/…, /events; API: /openapi.json)
Worker:    http://$host:8082   (/healthz, /readyz, /metrics)
Metrics:   http://$host:8080/metrics, :8081/metrics, :8082/metrics
URLS
exec "$bin" all
