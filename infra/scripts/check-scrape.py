"""Asks a real Prometheus, scraping the three tracker services, whether each is up and whether
every metric the dashboard and the alerts use has data. Waits (with a deadline) for scrapes."""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import yaml

PROMETHEUS = sys.argv[1]
JOBS = {"tracker-collector", "tracker-worker", "tracker-query"}


def query(expr: str) -> list:
    url = f"{PROMETHEUS}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)["data"]["result"]


def used_metrics() -> set[str]:
    exprs = [r["expr"] for g in yaml.safe_load(open("k8s/base/monitoring/prometheusrule.yaml"))["spec"]["groups"]
             for r in g["rules"]]
    dashboard = json.load(open("k8s/base/monitoring/tracker-dashboard.json"))
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    return {name for expr in exprs for name in re.findall(r"\b((?:tracker|http_server)_[a-z_]+)", expr)}


def wait_for(what: str, condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"Prometheus: timed out waiting for {what}")


wait_for("up == 1 for the three services",
         lambda: {r["metric"]["job"] for r in query("up == 1")} >= JOBS)
missing = set(used_metrics())
wait_for("every metric the dashboard and alerts use",
         lambda: not (missing.difference_update({m for m in list(missing) if query(f"count({m})")}) or missing))
print(f"Prometheus scraped {len(JOBS)} services (up == 1); "
      f"{len(used_metrics())} metrics used by the dashboard and alerts all have data")
