"""Checks where each role of the rendered prod overlay connects to PostgreSQL.

A transaction-mode pooler hands each transaction any server connection, so only statements that
need no session may go through it: the collector (one explicit transaction per flush, an autocommit
NOTIFY) and the worker's moves (one transaction each) do. What needs a session — the worker's LISTEN
and the leader's session advisory lock, the query API's live-tail LISTEN, `tracker migrate`'s
session advisory lock — goes to TRACKER_DIRECT_DATABASE_URL when it is set, else to DATABASE_URL,
and that must be the primary's Service, not the pooler. The query API reads from the standbys' Service. Every $(VAR) a URL uses is defined before it, every
Deployment has a disruption budget and spreads its replicas over nodes, and the Cluster keeps one
instance per node.

Usage: check-connections.py RENDERED.yaml... (the prod application and database layers)."""
import re
import sys
import urllib.parse

import yaml

CLUSTER = "tracker-db"
POOLED = {"collector", "worker"}
SESSION = {"worker", "query", "migrate", "all"}


def host_of(env: dict, entry: dict) -> str:
    """The host a URL variable points at; the operator's `uri` key is the primary, direct."""
    if "valueFrom" in entry:
        ref = entry["valueFrom"]["secretKeyRef"]
        if ref["name"] == f"{CLUSTER}-app" and ref["key"] == "uri":
            return f"{CLUSTER}-rw"
        return f"secret {ref['name']}/{ref['key']}"
    return urllib.parse.urlsplit(entry["value"]).hostname or ""


def check(documents: list[dict]) -> list[str]:
    problems = []
    poolers = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Pooler"}
    for name, pooler in poolers.items():
        spec = pooler["spec"]
        if spec.get("type") != "rw" or spec["pgbouncer"].get("poolMode") != "transaction":
            problems.append(f"Pooler/{name}: expected type rw and poolMode transaction")
        if spec["cluster"]["name"] == name:
            problems.append(f"Pooler/{name}: the operator refuses a Pooler named like its Cluster")
    clusters = [d for d in documents if d["kind"] == "Cluster"]
    for cluster in clusters:
        spec = cluster["spec"]
        if spec.get("instances", 1) < 3:
            problems.append(f"Cluster/{cluster['metadata']['name']}: fewer than 3 instances")
        if not spec.get("affinity", {}).get("enablePodAntiAffinity"):
            problems.append(f"Cluster/{cluster['metadata']['name']}: instances may share a node")

    budgets = [d["spec"]["selector"]["matchLabels"] for d in documents if d["kind"] == "PodDisruptionBudget"]
    for document in documents:
        if document["kind"] not in ("Deployment", "Job"):
            continue
        name = f"{document['kind']}/{document['metadata']['name']}"
        pod = document["spec"]["template"]
        container = pod["spec"]["containers"][0]
        role = (container.get("args") or ["?"])[0]
        env = container.get("env", [])
        defined = set()
        hosts = {}
        for entry in env:
            for reference in re.findall(r"\$\((\w+)\)", entry.get("value", "")):
                if reference not in defined:
                    problems.append(f"{name}: {entry['name']} uses $({reference}) before it is defined")
            defined.add(entry["name"])
            if entry["name"] in ("DATABASE_URL", "TRACKER_DIRECT_DATABASE_URL", "TRACKER_READ_DATABASE_URL"):
                hosts[entry["name"]] = host_of(env, entry)
        primary = hosts.get("DATABASE_URL", "")
        session = hosts.get("TRACKER_DIRECT_DATABASE_URL", primary)
        if role in POOLED and primary not in poolers:
            problems.append(f"{name}: {role} writes to {primary!r}, not through the pooler")
        if role in SESSION and session in poolers:
            problems.append(f"{name}: {role} needs a session (LISTEN or an advisory lock) but goes through {session}")
        elif role in SESSION and session != f"{CLUSTER}-rw":
            problems.append(f"{name}: {role} opens its session connections to {session!r}, not {CLUSTER}-rw")
        if role == "query" and hosts.get("TRACKER_READ_DATABASE_URL") != f"{CLUSTER}-ro":
            problems.append(f"{name}: reads from {hosts.get('TRACKER_READ_DATABASE_URL')!r}, not {CLUSTER}-ro")
        if document["kind"] == "Deployment":
            labels = pod["metadata"]["labels"]
            if not any(all(labels.get(k) == v for k, v in selector.items()) for selector in budgets):
                problems.append(f"{name}: no PodDisruptionBudget selects its pods")
            spread = pod["spec"].get("topologySpreadConstraints", [])
            if not any(c["topologyKey"] == "kubernetes.io/hostname" and c["whenUnsatisfiable"] == "DoNotSchedule"
                       for c in spread):
                problems.append(f"{name}: replicas may pile up on one node (no hostname spread with DoNotSchedule)")
    return problems


def main() -> int:
    documents = [d for name in sys.argv[1:] for d in yaml.safe_load_all(open(name)) if d]
    problems = check(documents)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
