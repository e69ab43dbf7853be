#!/usr/bin/env bash
# Single-event POSTs and /healthz as a user measures them: `wrk -t2 -c64` from outside against a
# separate `tracker collector` process and, in the same run, a bare Hummingbird process
# (`tracker-bench http-ceiling`); each server's own CPU per request from /proc/PID/stat over the run.
# Prints Markdown.
#   bash infra/bench/collector-wrk.sh TRACKER TRACKER_BENCH DATABASE_URL [SECONDS] [ROUNDS]
set -euo pipefail
bin=$1
bench=$2
database=$3
seconds=${4:-10}
rounds=${5:-3}
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { echo "wrk is missing" >&2; exit 1; }; }
work=$(mktemp -d /tmp/tracker-wrk.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

cat >"$work/track.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}},"timestamp":"2026-11-25T12:00:00Z"}'
LUA
cat >"$work/events.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"userId":"user-42","sessionId":"session-7","eventType":"Clicked","timestamp":"2026-11-25T12:00:00Z","metadata":{"plan":"pro","path":"/pricing","n":1}}'
LUA

collector_port=$(free_port)
DATABASE_URL=$database LOG_LEVEL=warning TRACKER_BACKLOG_LIMIT=1000000000 "$bin" collector --host 127.0.0.1 \
  --port "$collector_port" >"$work/collector.log" 2>&1 &
pids+=($!)
collector_pid=$!
ceiling_port=$(free_port)
"$bench" http-ceiling --port "$ceiling_port" >"$work/ceiling.log" 2>&1 &
pids+=($!)
ceiling_pid=$!
wait_up "$collector_port"
wait_up "$ceiling_port"

# measure PID PORT REQUEST: "requests/s µs-per-request non-2xx" of one wrk run.
measure() {
  local pid=$1 port=$2 args
  case $3 in
    healthz) args=("http://127.0.0.1:$port/healthz") ;;
    track) args=(-s "$work/track.lua" "http://127.0.0.1:$port/v1/track") ;;
    events) args=(-s "$work/events.lua" "http://127.0.0.1:$port/events") ;;
  esac
  wrk -t2 -c64 -d2s "${args[@]}" >/dev/null
  local before after
  before=$(ticks "$pid")
  wrk -t2 -c64 -d"${seconds}s" "${args[@]}" >"$work/wrk.out"
  after=$(ticks "$pid")
  python3 - "$before" "$after" "$(getconf CLK_TCK)" "$work/wrk.out" <<'PY'
import re, sys
before, after, tck = (float(x) for x in sys.argv[1:4])
text = open(sys.argv[4]).read()
requests = int(re.search(r"(\d+) requests in", text).group(1))
rate = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rate:.0f} {(after - before) / tck * 1e6 / requests:.1f} {bad.group(1) if bad else 0}")
PY
}

# Rounds of every case in turn, so a noisy neighbour slows all of them alike; medians reported.
cases=("healthz collector" "healthz ceiling" "track collector" "track ceiling" "events collector")
for round in $(seq "$rounds"); do
  for case in "${cases[@]}"; do
    read -r request server <<<"$case"
    if [ "$server" = collector ]; then pid=$collector_pid port=$collector_port; else pid=$ceiling_pid port=$ceiling_port; fi
    echo "$request $server $round $(measure "$pid" "$port" "$request")" >>"$work/results"
  done
done

python3 - "$work/results" "$rounds" "$seconds" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
rounds, seconds = sys.argv[2], sys.argv[3]
names = {"healthz": "GET /healthz", "track": "POST /v1/track (one event)", "events": "POST /events (original tracker)"}
servers = {"collector": "`tracker collector`", "ceiling": "bare Hummingbird"}
def of(request, server, column):
    return [float(r[column]) for r in rows if r[0] == request and r[1] == server]
print(f"| request (`wrk -t2 -c64`, {seconds} s × {rounds} rounds) | server | requests/s (median) | each round "
      "| server CPU µs per request (median) | non-2xx |")
print("|---|---|---|---|---|---|")
for request, server in [("healthz", "collector"), ("healthz", "ceiling"), ("track", "collector"),
                        ("track", "ceiling"), ("events", "collector")]:
    rates = of(request, server, 3)
    each = ", ".join(f"{rate:,.0f}" for rate in rates)
    bad = sum(int(v) for v in of(request, server, 5))
    print(f"| {names[request]} | {servers[server]} | {statistics.median(rates):,.0f} | {each} "
          f"| {statistics.median(of(request, server, 4)):.0f} | {bad} |")
print()
def ratio(a, b):
    each = [x / y for x, y in zip(of(*a, 3), of(*b, 3))]
    return f"{statistics.median(each):.2f}× | " + ", ".join(f"{v:.2f}" for v in each)
print("| ratio (same round) | median | each round | goal |")
print("|---|---|---|---|")
print(f"| POST /v1/track vs bare Hummingbird | {ratio(('track', 'collector'), ('track', 'ceiling'))} | ≥ 0.5× |")
print(f"| GET /healthz vs bare Hummingbird | {ratio(('healthz', 'collector'), ('healthz', 'ceiling'))} | ≥ 0.8× |")
print(f"| POST /events vs /v1/track | {ratio(('events', 'collector'), ('track', 'collector'))} | ≥ 0.95× |")
cpu = statistics.median(of("track", "collector", 4))
print(f"| collector CPU per single event (/v1/track) | {cpu:.0f} µs | | ≤ 80 µs |")
PY
