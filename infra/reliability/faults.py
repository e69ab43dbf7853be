#!/usr/bin/env python3
"""Fault injection: each scenario runs SDK-like load against a fresh pipeline on a private
PostgreSQL, breaks something on purpose, then counts acknowledged messages stored, lost and
duplicated once the backlog has drained. Exits non-zero when any message is lost or duplicated, or
when a scenario's own expectation (503 with Retry-After, bounded memory, recovery) fails.

    python3 infra/reliability/faults.py --binary .build/release/tracker            # full, ~6 min
    python3 infra/reliability/faults.py --binary .build/debug/tracker --short      # test command
    python3 infra/reliability/faults.py ... --report docs/reliability.md           # rewrite the table
    python3 infra/reliability/faults.py --binary .build/debug/tracker --short --pgbouncer
        # the kill/restart scenarios with every process's DATABASE_URL a PgBouncer in transaction
        # mode, and PgBouncer itself SIGKILLed and restarted
"""

import argparse
import datetime
import http.client
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pipeline import Cluster, Load, Process, migrate, replace_section, verify, wait_until  # noqa: E402


class Scenario:
    def __init__(self, args, name, description, settings=""):
        self.args, self.name, self.description, self.settings = args, name, description, settings
        self.notes = []
        self.failures = []

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)

    def __enter__(self):
        print(f"== {self.name}: {self.description}", flush=True)
        self.cluster = Cluster(pgbouncer=self.args.pgbouncer, settings=self.settings)
        migrate(self.args.binary, self.cluster.url)
        self.processes = []
        return self

    def spawn(self, role, env=None):
        process = Process(self.args.binary, role, self.cluster.app_url, dict(self.cluster.app_env, **(env or {})))
        self.processes.append(process)
        process.wait_ready()
        return process

    def __exit__(self, *exc):
        if self.args.pgbouncer and not exc[0]:
            served = self.cluster.pgbouncer_transactions()
            self.expect(served > 0, "no transaction went through PgBouncer")
            self.notes.append(f"{served} transactions through PgBouncer")
        for process in self.processes:
            process.stop()
        self.cluster.stop()
        return False


def load_for(args, collector, seconds=None, target=None, during=None, clients=6, started=None):
    """Runs load until `target` messages are acknowledged (or `seconds` pass), calling `during`
    about every 0.1 s, and returns the load (also put in `started[0]` as soon as it runs)."""
    load = Load(collector.port, clients=clients, target=target).start()
    if started is not None:
        started[0] = load
    deadline = time.monotonic() + (seconds or args.max_seconds)
    while time.monotonic() < deadline and (target is None or load.acked_count < target):
        if during:
            during()
        time.sleep(0.1)
    load.stop()
    return load


def worker_kills(args):
    with Scenario(args, "worker kill -9", f"three workers drain while one is SIGKILLed every {args.kill_every} s") as s:
        collector = s.spawn("collector")
        workers = []
        kills = [0]
        last = [time.monotonic()]

        def chaos():
            # Workers start once half the messages are staged, so there is a backlog to drain
            # while they are being killed.
            if not workers and load_state[0] and load_state[0].acked_count >= args.messages // 2:
                workers.extend(s.spawn("worker") for _ in range(3))
                last[0] = time.monotonic()
            # The first kill comes at once: with a quick drain, a first kill after `kill_every` came
            # when the backlog was already gone.
            if workers and (kills[0] == 0 or time.monotonic() - last[0] >= args.kill_every):
                victim = random.choice(workers)
                victim.kill9()
                victim.start()
                kills[0] += 1
                last[0] = time.monotonic()
        load_state = [None]
        load = load_for(args, collector, target=args.messages, during=chaos, started=load_state)
        if not workers:
            workers.extend(s.spawn("worker") for _ in range(3))
        result = verify(s.cluster, load.acked, during=chaos)
        s.expect(kills[0] > 0, "no worker was killed")
        s.notes.append(f"{kills[0]} workers killed")
        return s, load, result


def collector_kill(args):
    with Scenario(args, "collector kill -9", "the collector is SIGKILLed mid-load and restarted") as s:
        collector = s.spawn("collector")
        s.spawn("worker")
        state = {"killed": False, "start": time.monotonic()}

        def chaos():
            if not state["killed"] and time.monotonic() - state["start"] > args.max_seconds / 3:
                collector.kill9()
                time.sleep(1)
                collector.start()
                state["killed"] = True
        load = load_for(args, collector, seconds=args.max_seconds, during=chaos)
        s.expect(state["killed"], "the collector was never killed")
        s.notes.append(f"{load.connection_errors} refused connections retried")
        return s, load, verify(s.cluster, load.acked)


def postgres_restart(args):
    with Scenario(args, "PostgreSQL restart", "pg_ctl stop -m immediate mid-load, 7 s down, started again") as s:
        collector = s.spawn("collector")
        s.spawn("worker")
        s.spawn("worker")
        state = {"restarted": False, "start": time.monotonic()}

        def chaos():
            if not state["restarted"] and time.monotonic() - state["start"] > args.max_seconds / 3:
                s.cluster.restart_immediate()
                state["restarted"] = True
        load = load_for(args, collector, seconds=args.max_seconds, during=chaos)
        acked_after = load.acked_count
        s.expect(state["restarted"], "PostgreSQL was never restarted")
        # Through PgBouncer a short outage may show only as waiting: PgBouncer holds the statements
        # until the server is back, and whether the collector's deadline passes first is timing.
        if not args.pgbouncer:
            s.expect(load.statuses.get(503, 0) > 0, "no 503 while PostgreSQL was down")
        s.expect(load.retry_after_missing == 0, f"{load.retry_after_missing} 503s without Retry-After")
        s.notes.append(f"{load.statuses.get(503, 0)} × 503 with Retry-After")
        result = verify(s.cluster, load.acked)
        s.expect(acked_after > 0, "nothing acknowledged")
        return s, load, result


def listener_terminations(args):
    with Scenario(args, "listener terminated", "pg_terminate_backend on every LISTEN connection, every second") as s:
        collector = s.spawn("collector")
        s.spawn("worker")
        s.spawn("worker")
        # Through PgBouncer the query API too: its live tail's LISTEN is terminated with the others.
        query = s.spawn("query") if args.pgbouncer else None
        state = {"terminated": 0, "last": time.monotonic()}

        def chaos():
            if time.monotonic() - state["last"] >= 1:
                state["terminated"] += s.cluster.scalar(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()")
                state["last"] = time.monotonic()
        load = load_for(args, collector, seconds=args.max_seconds, during=chaos)
        s.expect(state["terminated"] > 0, "no listener connection was found to terminate")
        s.notes.append(f"{state['terminated']} listener connections terminated")
        # Only a notification, never the 1 s poll alone, drains within a few seconds once the
        # listeners stop being killed: they must have reconnected.
        result = verify(s.cluster, load.acked)
        if query:
            # Its reads go through PgBouncer: the stats, exact, count every stored event.
            try:
                wait_until(lambda: counted_by_query(query.port) == result["stored"], 30, "the query API's count")
                s.notes.append(f"the query API counted {result['stored']}")
            except TimeoutError:
                s.expect(False, f"the query API counted {counted_by_query(query.port)}, not {result['stored']}")
        return s, load, result


def counted_by_query(port):
    """How many events of the load's name the query API's top-events counts (today's)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/v1/stats/top-events")
    data = json.loads(connection.getresponse().read())["data"]
    return sum(row["count"] for row in data if row["event"] == "Fault Test")


def lost_commit(args):
    """A crash while a flush's COMMIT is in flight loses the flush when its WAL never reached the
    disk, and PostgreSQL then hands its transaction id to new transactions. The collector, asking
    what became of its commit, must not take one of those for its own."""
    # Nothing writes the held flush's WAL before the crash: one message's records stay within a WAL
    # page the WAL writer (asleep for 10 s between rounds) does not write before it is full; no
    # background write of a dirty page (which writes the WAL first), no full-page image, and at
    # wal_level minimal no snapshot of running transactions (which the WAL writer is woken to write).
    settings = ("-c wal_writer_delay=10000 -c bgwriter_lru_maxpages=0 -c full_page_writes=off "
                "-c wal_level=minimal -c max_wal_senders=0")
    with Scenario(args, "commit lost in a crash", "pg_ctl stop -m immediate while a flush's COMMIT waits, "
                  "its WAL unwritten; the transaction id reused after the restart", settings=settings) as s:
        collector = s.spawn("collector")
        s.cluster.psql("""
            CREATE FUNCTION held_commit() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER held_commit AFTER INSERT ON ingest_staging
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION held_commit();""")
        load = Load(collector.port, clients=1, batch=1, target=1)
        answer = {}

        body, ids = load.batch_body(0, 0)

        def send_once():
            connection = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=60)
            connection.request("POST", "/v1/batch", body, {"Content-Type": "application/json"})
            answer["status"] = connection.getresponse().status
        sender = threading.Thread(target=send_once, daemon=True)
        sender.start()
        held = "SELECT backend_xid::text::int8 FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
        wait_until(lambda: s.cluster.psql(held) != "", 30, "a held COMMIT")
        lost_id = s.cluster.scalar(held)
        s.cluster.restart_immediate(down_seconds=1.0)
        # Autocommit transactions that each take a transaction id, past the lost one (a fresh
        # cluster's ids are in epoch 0, so the 32-bit id is the full one).
        s.cluster.psql(None, stdin="SELECT txid_current();\n" * 500)
        reused = s.cluster.psql(f"SELECT txid_status({lost_id})")
        s.expect(reused == "committed", f"the lost transaction's id {lost_id} is {reused!r}, not reused")
        sender.join(timeout=60)
        s.expect(answer.get("status") == 503, f"the lost flush was answered {answer.get('status')}, not 503")
        s.notes.append(f"the lost flush was answered {answer.get('status')}")
        s.cluster.psql("DROP TRIGGER held_commit ON ingest_staging")
        s.spawn("worker")
        if 200 <= answer.get("status", 0) < 300:
            load.acked.extend(ids)
        else:
            # The client retries its message, as SDKs do, until it is acknowledged; stored once.
            load.start()
            wait_until(lambda: load.acked_count == 1, 60, "the message acknowledged")
            load.stop()
        return s, load, verify(s.cluster, load.acked)


def backlog_limit(args):
    with Scenario(args, "backlog over its limit", "no worker until staging passes TRACKER_BACKLOG_LIMIT") as s:
        collector = s.spawn("collector", {"TRACKER_BACKLOG_LIMIT": str(args.backlog_limit)})
        load = Load(collector.port, clients=6).start()
        try:
            wait_until(lambda: load.statuses.get(503, 0) > 20, args.max_seconds * 2, "503 backlog_full")
            for _ in range(20):
                collector.sample_rss()
                time.sleep(0.1)
            s.spawn("worker")
            s.spawn("worker")
            time.sleep(2)
        finally:
            load.stop()
        collector.sample_rss()
        s.expect(load.retry_after_missing == 0, f"{load.retry_after_missing} 503s without Retry-After")
        s.expect(collector.peak_rss < 150, f"collector RSS {collector.peak_rss:.0f} MB")
        s.notes.append(f"{load.statuses.get(503, 0)} × 503 with Retry-After, collector peak RSS "
                       f"{collector.peak_rss:.0f} MB")
        return s, load, verify(s.cluster, load.acked)


def pgbouncer_restart(args):
    with Scenario(args, "PgBouncer kill -9", "PgBouncer SIGKILLed mid-load, 1 s down, started again") as s:
        collector = s.spawn("collector")
        s.spawn("worker")
        s.spawn("worker")
        state = {"killed": False, "start": time.monotonic()}

        def chaos():
            if not state["killed"] and time.monotonic() - state["start"] > args.max_seconds / 3:
                s.cluster.kill_pgbouncer()
                state["killed"] = True
        load = load_for(args, collector, seconds=args.max_seconds, during=chaos)
        s.expect(state["killed"], "PgBouncer was never killed")
        s.notes.append(f"{load.statuses.get(503, 0)} × 503 with Retry-After")
        s.expect(load.retry_after_missing == 0, f"{load.retry_after_missing} 503s without Retry-After")
        return s, load, verify(s.cluster, load.acked)


SCENARIOS = [worker_kills, collector_kill, postgres_restart, lost_commit, listener_terminations, backlog_limit]
# Through PgBouncer: the kill/restart scenarios, and PgBouncer itself killed.
PGBOUNCER_SCENARIOS = [worker_kills, collector_kill, postgres_restart, listener_terminations, pgbouncer_restart]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/tracker")
    parser.add_argument("--short", action="store_true", help="the test command's form: about a minute")
    parser.add_argument("--report", help="rewrite the fault table in this markdown file")
    parser.add_argument("--only", help="run only the scenarios whose function name contains this")
    parser.add_argument("--pgbouncer", action="store_true",
                        help="every process's DATABASE_URL a PgBouncer in transaction mode (session "
                             "connections direct); the kill/restart scenarios and PgBouncer killed")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    args.messages = 20_000 if args.short else 100_000
    args.kill_every = 0.5 if args.short else 2
    args.max_seconds = 8 if args.short else 30
    args.backlog_limit = 5_000 if args.short else 50_000

    rows, failed = [], False
    scenarios = PGBOUNCER_SCENARIOS if args.pgbouncer else SCENARIOS
    for scenario in [s for s in scenarios if not args.only or args.only in s.__name__]:
        started = time.monotonic()
        s, load, result = scenario(args)
        problems = s.failures + [f"{result[k]} {k}" for k in ("lost", "duplicated", "failed_events") if result[k]]
        failed |= bool(problems)
        row = dict(result, scenario=s.name, description=s.description, notes="; ".join(s.notes),
                   seconds=round(time.monotonic() - started), ok=not problems, problems=problems)
        rows.append(row)
        print(f"   acknowledged {result['acknowledged']}, stored {result['stored']}, lost {result['lost']}, "
              f"duplicated {result['duplicated']}, drained in {result['drain_seconds']} s; {row['notes']}"
              + ("" if row["ok"] else f"  FAILED: {', '.join(problems)}"), flush=True)
    if args.report:
        write_report(args, rows)
    sys.exit(1 if failed else 0)


def write_report(args, rows):
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {cores} cores, "
        f"{memory:.0f} GiB, `{' '.join(['python3', 'infra/reliability/faults.py'] + sys.argv[1:])}`:",
        "",
        "| scenario | what breaks | acknowledged | stored | lost | duplicated | drain after load (s) | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['scenario']} | {row['description']} | {row['acknowledged']} | {row['stored']} | "
                     f"{row['lost']} | {row['duplicated']} | {row['drain_seconds']} | {row['notes']} |")
    replace_section(args.report, "faults", lines)


if __name__ == "__main__":
    main()
