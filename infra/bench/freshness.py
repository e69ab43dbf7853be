#!/usr/bin/env python3
"""End-to-end freshness: how long from a collector's 2xx until the event is returned by
`GET /v1/events`, at 1,000 events/s and at 80% of the sustained rate (measured first, in the
same run: stored events/s once the collector's backlog limit, set low here, governs). Also the
peak RSS of each process. Prints Markdown and writes the figures as JSON for the charts.

    python3 infra/bench/freshness.py --binary .build/release/tracker --json /tmp/freshness.json
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reliability"))
from pipeline import Cluster, Load, measure_rates, start_pipeline  # noqa: E402


BACKLOG_LIMIT = 100_000


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Prober(threading.Thread):
    """Ten single events a second, each for a person of its own; for each, the time from its 2xx to
    the first `GET /v1/events?user_id=…` that returns it. Polled every 2 ms at first, each wait a
    tenth longer than the one before, up to 20 ms: a lag of a second polled every 2 ms kept the
    query API and PostgreSQL busy with a fifth of the machine, slowing the pipeline it measured;
    this way a reading is late by at most a tenth of it (and 20 ms)."""

    def __init__(self, collector_port, query_port, run):
        super().__init__(daemon=True)
        self.collector_port, self.query_port, self.run_id = collector_port, query_port, run
        self.stopping = threading.Event()
        self.latencies = []
        self.failures = 0

    def run(self):
        number = 0
        collector = http.client.HTTPConnection("127.0.0.1", self.collector_port, timeout=10)
        query = http.client.HTTPConnection("127.0.0.1", self.query_port, timeout=10)
        while not self.stopping.is_set():
            number += 1
            person = f"probe-{self.run_id}-{number}"
            body = json.dumps({"userId": person, "event": "Probe"})
            collector.request("POST", "/v1/track", body, {"Content-Type": "application/json"})
            response = collector.getresponse()
            response.read()
            acknowledged = time.monotonic()
            if response.status != 200:
                self.failures += 1
                continue
            wait = 0.002
            while time.monotonic() - acknowledged < 30:
                query.request("GET", f"/v1/events?user_id={person}&limit=1")
                answer = query.getresponse()
                data = json.loads(answer.read())
                if data.get("data"):
                    self.latencies.append((time.monotonic() - acknowledged) * 1000)
                    break
                time.sleep(wait)
                wait = min(wait * 1.1, 0.02)
            else:
                self.failures += 1
            time.sleep(max(0.0, 0.1 - (time.monotonic() - acknowledged)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/tracker")
    parser.add_argument("--seconds", type=float, default=30, help="measured per rate")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)

    cluster = Cluster()
    processes = []
    try:
        # A backlog limit reached in seconds, so the sustained rate is measured under backpressure.
        collector, workers, query = start_pipeline(
            binary, cluster, collector_env={"TRACKER_BACKLOG_LIMIT": str(BACKLOG_LIMIT)})
        processes = [collector, *workers, query]
        maximum, acknowledged = measure_rates(cluster, collector, 20, until_refused=120)
        print(f"   sustained rate: {maximum:.0f} stored events/s "
              f"(acknowledged {acknowledged:.0f}/s)", file=sys.stderr, flush=True)

        results = []
        for label, rate in (("1,000 events/s", 1000), ("80% of the sustained rate", 0.8 * maximum)):
            print(f"   freshness at {label} ({rate:.0f} events/s)", file=sys.stderr, flush=True)
            load = Load(collector.port, clients=4, rate=rate - 10).start()
            prober = Prober(collector.port, query.port, f"{int(rate)}")
            prober.start()
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                for process in processes:
                    process.sample_rss()
                time.sleep(0.5)
            prober.stopping.set()
            prober.join()
            load.stop()
            latencies = prober.latencies
            results.append({
                "label": label, "rate": round(rate), "probes": len(latencies), "failures": prober.failures,
                "p50_ms": round(percentile(latencies, 50), 1), "p99_ms": round(percentile(latencies, 99), 1),
                "max_ms": round(max(latencies), 1),
            })
        rss = {"collector": collector.peak_rss, "worker": max(w.peak_rss for w in workers), "query": query.peak_rss}
    finally:
        for process in processes:
            process.stop()
        cluster.stop()

    print(f"Sustained rate measured first (20 s once the collector's backlog limit of {BACKLOG_LIMIT:,} "
          f"governs; stored events/s): {maximum:.0f} (acknowledged {acknowledged:.0f}/s).\n")
    print("| load | events/s | probes | 2xx → visible p50 ms | p99 ms | max ms | probes not seen |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['label']} | {r['rate']} | {r['probes']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | "
              f"{r['failures']} |")
    print("\nPeak RSS over both runs: " + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items()) + ".")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"maximum": maximum, "results": results, "rss": rss}, file)


if __name__ == "__main__":
    main()
