#!/usr/bin/env python3
"""Soak: a collector, two workers and the query API on a private PostgreSQL, first driven flat out
for a while to find the flat-out rate (stored events/s while the backlog grows, an upper bound on
what is sustained), then held at half of it for
`--minutes`. Every 10 s it samples each process's RSS, the staging backlog and the staging table's
size on disk. It fails on any non-2xx, any lost or duplicated message, or a growth trend (RSS over
0.5 MB/min or the staging table over 1 MB/min in the second half).

    bash -c 'source infra/scripts/tools.sh; "$(charts_venv)/bin/python" infra/reliability/soak.py \
        --binary .build/release/tracker --minutes 15 --report docs/reliability.md'
"""

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline import Cluster, Load, measure_maximum, replace_section, rss_mb, start_pipeline, verify  # noqa: E402


def slope_per_minute(samples, key):
    """Least-squares slope of `key` over time, per minute, on the second half of the run (the first
    half includes warm-up: pools filling, caches growing)."""
    half = samples[len(samples) // 2:]
    if len(half) < 3:
        return 0.0
    xs = [s["t"] / 60 for s in half]
    ys = [s[key] for s in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/tracker")
    parser.add_argument("--minutes", type=float, default=15)
    parser.add_argument("--calibrate-seconds", type=float, default=30)
    parser.add_argument("--report", help="rewrite the soak section of this markdown file and draw docs/soak.png")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)

    cluster = Cluster()
    processes = []
    failures = []
    try:
        collector, workers, query = start_pipeline(binary, cluster)
        processes = [collector, *workers, query]
        print(f"== calibrating: flat out for {args.calibrate_seconds:.0f} s", flush=True)
        maximum, acked_rate = measure_maximum(cluster, collector, args.calibrate_seconds)
        rate = maximum / 2
        print(f"   acknowledged {acked_rate:.0f}/s, flat-out {maximum:.0f} stored/s: soaking at {rate:.0f} events/s",
              flush=True)

        print(f"== soak: {args.minutes:g} minutes at {rate:.0f} events/s", flush=True)
        stored_before = cluster.scalar("SELECT count(*) FROM events")
        load = Load(collector.port, clients=4, rate=rate).start()
        samples = []
        soak_start = time.monotonic()
        while time.monotonic() - soak_start < args.minutes * 60:
            time.sleep(10)
            backlog = cluster.psql(
                "SELECT count(*), pg_total_relation_size('ingest_staging') FROM ingest_staging").split("|")
            sample = {
                "t": round(time.monotonic() - soak_start),
                "acked": load.acked_count,
                "backlog": int(backlog[0]),
                "staging_mb": int(backlog[1]) / 2**20,
                "collector_mb": rss_mb(collector.process.pid),
                "worker_mb": max(rss_mb(w.process.pid) for w in workers),
                "query_mb": rss_mb(query.process.pid),
            }
            samples.append(sample)
            print(f"   {sample['t']:>4} s  acked {sample['acked']:>8}  backlog {sample['backlog']:>6}  "
                  f"staging {sample['staging_mb']:6.1f} MB  RSS collector {sample['collector_mb']:5.1f}  "
                  f"worker {sample['worker_mb']:5.1f}  query {sample['query_mb']:5.1f} MB", flush=True)
        load.stop()
        result = verify(cluster, load.acked)
        result["stored"] -= stored_before  # events of the calibration run are not the soak's
        errors = sum(n for status, n in load.statuses.items() if not 200 <= status < 300) + load.connection_errors
        achieved = load.acked_count / (args.minutes * 60)
        trends = {key: slope_per_minute(samples, key)
                  for key in ("collector_mb", "worker_mb", "query_mb", "staging_mb", "backlog")}
        print(f"   acknowledged {result['acknowledged']} ({achieved:.0f}/s), lost {result['lost']}, "
              f"duplicated {result['duplicated']}, non-2xx or failed requests {errors}")
        print("   second-half trend per minute: " + ", ".join(f"{k} {v:+.2f}" for k, v in trends.items()))
        if result["lost"] or result["duplicated"] or result["failed_events"]:
            failures.append(f"lost {result['lost']}, duplicated {result['duplicated']}")
        if errors:
            failures.append(f"{errors} requests not answered 2xx")
        # Flat: under 0.5 MB/min of RSS growth (7.5 MB over 15 minutes) in the second half.
        for key in ("collector_mb", "worker_mb", "query_mb"):
            if trends[key] > 0.5:
                failures.append(f"{key} grows {trends[key]:.2f} MB/min")
        # Bounded on disk: space freed by vacuum is reused, so after the first autovacuum rounds the
        # staging table stops growing.
        if trends["staging_mb"] > 1:
            failures.append(f"staging table grows {trends['staging_mb']:.2f} MB/min")
        if max(s["backlog"] for s in samples) > rate * 10:
            failures.append("backlog above 10 s of load")
        if args.report:
            report(args, samples, rate, maximum, achieved, result, errors, trends, failures)
    finally:
        for process in processes:
            process.stop()
        cluster.stop()
    if failures:
        print("soak: FAILED\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("soak: passed")


def report(args, samples, rate, maximum, achieved, result, errors, trends, failures):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s["t"] / 60 for s in samples]
    figure, (memory, queue) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for key, label in (("collector_mb", "collector"), ("worker_mb", "worker (larger of 2)"), ("query_mb", "query")):
        memory.plot(minutes, [s[key] for s in samples], label=label)
    memory.set_ylabel("RSS (MB)")
    memory.set_ylim(bottom=0)
    memory.legend(loc="upper left")
    memory.set_title(f"Soak: {args.minutes:g} min at {rate:.0f} events/s (half of {maximum:.0f}/s)")
    queue.plot(minutes, [s["backlog"] for s in samples], label="staging backlog (rows)", color="tab:red")
    queue.set_ylabel("rows")
    queue.set_ylim(bottom=0)
    size = queue.twinx()
    size.plot(minutes, [s["staging_mb"] for s in samples], label="staging on disk (MB)", color="tab:purple")
    size.set_ylabel("MB")
    size.set_ylim(bottom=0)
    queue.set_xlabel("minutes")
    queue.legend(loc="upper left")
    size.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(os.path.join(os.path.dirname(os.path.abspath(args.report)), "soak.png"), dpi=90)

    peak = {key: max(s[key] for s in samples) for key in ("collector_mb", "worker_mb", "query_mb", "staging_mb",
                                                            "backlog")}
    lines = [
        f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
        f"`python3 infra/reliability/soak.py {' '.join(sys.argv[1:])}`. Flat-out rate measured first in "
        f"the same run: {maximum:.0f} stored events/s while the backlog grows; the soak held {achieved:.0f} events/s.",
        "",
        "| measure | peak | trend over the second half |",
        "|---|---|---|",
        f"| collector RSS | {peak['collector_mb']:.1f} MB | {trends['collector_mb']:+.2f} MB/min |",
        f"| worker RSS (larger of two) | {peak['worker_mb']:.1f} MB | {trends['worker_mb']:+.2f} MB/min |",
        f"| query RSS | {peak['query_mb']:.1f} MB | {trends['query_mb']:+.2f} MB/min |",
        f"| staging backlog | {peak['backlog']} rows | {trends['backlog']:+.1f} rows/min |",
        f"| staging table on disk | {peak['staging_mb']:.1f} MB | {trends['staging_mb']:+.2f} MB/min |",
        "",
        f"Acknowledged {result['acknowledged']}, stored {result['stored']}, lost {result['lost']}, duplicated "
        f"{result['duplicated']}; requests not answered 2xx: {errors}. "
        + ("Verdict: **passed**." if not failures else "Verdict: **failed** — " + "; ".join(failures) + "."),
        "",
        "![soak](soak.png)",
    ]
    replace_section(args.report, "soak", lines)


if __name__ == "__main__":
    main()
