#!/usr/bin/env python3
"""A query process reading a real streaming standby (TRACKER_READ_DATABASE_URL), against a private
primary and a standby made from it with `pg_basebackup -R`, with a live collector and workers on
the primary. Checks: events posted to the collector are read back through the standby; with replay
paused /readyz turns 503 once the lag passes TRACKER_READ_MAX_LAG_SECONDS and as_of stops, and both
recover on resume; erasure and replay through that process still work (they go to the primary); the
live tail delivers every event, and holds back moves that commit after an older transaction still
open (out-of-order commits) until it commits; the standby stopped makes reads 503 with Retry-After within seconds.

    python3 Tests/Standby/standby_test.py --binary .build/debug/tracker
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "infra", "reliability"))
from pipeline import Cluster, Load, Process, free_port, migrate, wait_until  # noqa: E402

failures = []


def expect(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


class Standby:
    """A hot standby of `primary`, streaming from it, on a free loopback port."""

    def __init__(self, primary):
        self.bindir = primary.bindir()
        self.dir = tempfile.mkdtemp(prefix="tracker-standby.")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/tracker?sslmode=disable"
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            self.user + [f"{self.bindir}/pg_basebackup", "-R", "-X", "stream", "-c", "fast", "-D",
                         f"{self.dir}/data", "-d", f"postgres://postgres@127.0.0.1:{primary.port}/postgres"],
            check=True, stdout=subprocess.DEVNULL)
        self.start()

    def start(self):
        # A hot standby refuses to start with fewer connections than its primary (start_postgres: 1000).
        subprocess.run(
            self.user + [f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/server.log", "-w",
                         "-t", "60", "start", "-o",
                         f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=1000"],
            check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(self.user + [f"{self.bindir}/pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, sql):
        out = subprocess.run([f"{self.bindir}/psql", self.url, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql],
                             capture_output=True, text=True, timeout=60, check=True)
        return out.stdout.strip()

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def call(port, method, path, body=None, timeout=30):
    """(status, JSON or None, Retry-After, seconds taken)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, json.dumps(body).encode() if body is not None else None,
                       {"Content-Type": "application/json"} if body is not None else {})
    response = connection.getresponse()
    text = response.read()
    connection.close()
    try:
        answer = json.loads(text) if text else None
    except ValueError:
        answer = None
    return response.status, answer, response.getheader("Retry-After"), time.monotonic() - started


def message_ids(port, path):
    """Every message_id /v1/events answers for `path`'s filter, following the cursors."""
    seen, cursor = set(), None
    while True:
        status, answer, _, _ = call(port, "GET", path + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            return None
        seen.update(event["message_id"] for event in answer["data"])
        cursor = answer.get("next_cursor")
        if not cursor:
            return seen


def ready(port):
    return call(port, "GET", "/readyz", timeout=10)[0]


def as_of(port):
    status, answer, _, _ = call(port, "GET", "/v1/stats/top-events")
    return answer["as_of"] if status == 200 else None


class Tail:
    """One live tail client: every message_id it receives."""

    def __init__(self, port):
        self.ids = []
        self.lock = threading.Lock()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connection.request("GET", "/v1/events/stream")
        self.response = self.connection.getresponse()
        expect(self.response.status == 200, f"the live tail opens through the standby-reading process "
               f"({self.response.status})")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in self.response:
                if line.startswith(b"data: "):
                    with self.lock:
                        self.ids.append(json.loads(line[6:])["message_id"])
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def received(self):
        with self.lock:
            return list(self.ids)


def post(collector, count, run_id):
    load = Load(collector.port, clients=4, batch=25, target=count, run_id=run_id).start()
    wait_until(lambda: load.acked_count >= count, 60, f"{count} events acknowledged")
    load.stop()
    return set(load.acked)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    primary = Cluster()
    standby = None
    processes = []
    try:
        migrate(args.binary, primary.url)
        standby = Standby(primary)
        wait_until(lambda: standby.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'events'") == "1", 30,
                   "the migrated schema replayed on the standby")
        collector = Process(args.binary, "collector", primary.url)
        workers = [Process(args.binary, "worker", primary.url) for _ in range(2)]
        query = Process(args.binary, "query", primary.url,
                        env={"TRACKER_READ_DATABASE_URL": standby.url, "TRACKER_READ_MAX_LAG_SECONDS": "1"})
        processes = [collector, *workers, query]
        for process in processes:
            process.wait_ready()

        status = subprocess.run([args.binary, "query", "--read-database-url", "mysql://nope"],
                                env=dict(os.environ, DATABASE_URL=primary.url), capture_output=True).returncode
        expect(status == 2, f"a read URL that does not parse exits 2 (got {status})")

        tail = Tail(query.port)
        # Concurrent clients and two workers: moves commit out of their xid order.
        posted = post(collector, 600, "first")
        wait_until(lambda: posted <= (message_ids(query.port, "/v1/events?limit=1000") or set()), 60,
                   "every posted event read back through the standby")
        expect(True, f"{len(posted)} events posted to the collector read back through the standby")

        # Replay paused: new events reach the primary, not the reads; readiness and as_of say so.
        standby.psql("SELECT pg_wal_replay_pause()")
        later = post(collector, 100, "paused")
        wait_until(lambda: primary.scalar("SELECT count(*) FROM events WHERE message_id LIKE 'paused-%'") == len(later),
                   60, "the paused batch stored on the primary")
        started = time.monotonic()
        wait_until(lambda: ready(query.port) == 503, 20, "/readyz 503 while replay is paused")
        expect(True, f"/readyz 503 {time.monotonic() - started:.1f} s after the paused batch was stored "
               "(TRACKER_READ_MAX_LAG_SECONDS=1)")
        frozen = as_of(query.port)
        time.sleep(1.5)  # a span over which a current as_of would have moved on
        expect(as_of(query.port) == frozen, f"as_of stops advancing while replay is paused ({frozen})")
        unseen = message_ids(query.port, "/v1/events?limit=1000&event=Fault%20Test") & later
        expect(not unseen, f"events stored after the pause are not read while it lasts ({len(unseen)} read)")

        standby.psql("SELECT pg_wal_replay_resume()")
        wait_until(lambda: ready(query.port) == 200, 30, "/readyz 200 after resume")
        wait_until(lambda: as_of(query.port) > frozen, 30, "as_of advancing after resume")
        wait_until(lambda: later <= (message_ids(query.port, "/v1/events?limit=1000") or set()), 30,
                   "the paused batch read after resume")
        expect(True, "after resume /readyz answers 200, as_of advances and the paused batch is read")

        # Writes through the standby-reading process go to the primary.
        person = "user-0-0"
        status, answer, _, _ = call(query.port, "DELETE", f"/v1/users/{person}")
        erased = (answer or {}).get("deleted", {}).get("events", 0)
        expect(status == 200 and erased > 0, f"erasure through the query process: {status}, {erased} events")
        wait_until(lambda: message_ids(query.port, f"/v1/events?user_id={person}") == set(), 30,
                   "the erased person gone from the standby")
        call(collector.port, "POST", "/v1/track", {"type": "track", "event": "Old", "userId": "old",
                                                   "messageId": "too-old", "timestamp": "2001-01-01T00:00:00Z"})
        wait_until(lambda: primary.scalar("SELECT count(*) FROM failed_events WHERE message_id = 'too-old'") == 1,
                   30, "an event outside retention failed")
        status, answer, _, _ = call(query.port, "POST", "/v1/failed-events/replay", {"reason": "outside_retention"})
        expect(status == 200 and answer == {"replayed": 1}, f"replay through the query process: {status} {answer}")

        # The live tail saw every event, the ones stored while replay was paused too.
        everything = posted | later
        wait_until(lambda: everything <= set(tail.received()), 60, "the live tail delivering every event")
        received = tail.received()
        expect(everything <= set(received) and len(received) == len(set(received)),
               f"the live tail through the standby delivered all {len(everything)} events once each "
               f"({len(received)} received)")

        # A transaction that took its xid before later moves and commits after them: through the
        # standby the tail holds those moves back until it commits, then sends its row first.
        again = primary.psql("SELECT message_id FROM events WHERE message_id LIKE 'first-%' "
                             "AND user_id <> 'user-0-0' LIMIT 1")
        held = subprocess.Popen([f"{primary.bindir()}/psql", primary.url, "-qtAX", "-v", "ON_ERROR_STOP=1"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        held.stdin.write("BEGIN;\nINSERT INTO event_stream (id, timestamp) SELECT id, timestamp FROM events "
                         f"WHERE message_id = '{again}';\nSELECT 'held';\n")
        held.stdin.flush()
        expect(held.stdout.readline().strip() == "held", "a transaction holding an event_stream row open")
        before = len(tail.received())
        overtaking = post(collector, 50, "late")
        wait_until(lambda: standby.psql("SELECT count(*) FROM events WHERE message_id LIKE 'late-%'")
                   == str(len(overtaking)), 60, "the later moves replayed on the standby")
        time.sleep(1.5)  # a span in which a tail that skipped the open transaction would send them
        expect(not overtaking & set(tail.received()),
               "the tail holds back moves that committed after an older transaction still open")
        held.stdin.write("COMMIT;\n")
        held.stdin.close()
        held.wait(timeout=30)
        wait_until(lambda: overtaking <= set(tail.received()), 60, "the tail sending the later moves")
        after = tail.received()[before:]
        expect(after and after[0] == again and set(after[1:]) == overtaking,
               f"then it sends the late-committed row first and every later move once ({len(after)} sent)")

        # The standby stopped: reads answer 503 quickly, with Retry-After.
        standby.stop()
        status, _, retry_after, seconds = call(query.port, "GET", "/v1/events?limit=10")
        expect(status == 503 and retry_after is not None and seconds < 6,
               f"standby stopped: /v1/events {status} Retry-After {retry_after} in {seconds:.2f} s")
        status, _, retry_after, seconds = call(query.port, "GET", "/v1/stats/top-events")
        expect(status == 503 and retry_after is not None and seconds < 6,
               f"standby stopped: /v1/stats/top-events {status} Retry-After {retry_after} in {seconds:.2f} s")
        expect(ready(query.port) == 503, "standby stopped: /readyz 503")
        standby.start()
        wait_until(lambda: ready(query.port) == 200, 30, "/readyz 200 once the standby is back")
    finally:
        for process in processes:
            process.stop()
        if standby:
            standby.remove()
        primary.stop()
    if failures:
        print(f"{len(failures)} standby check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("standby: all checks passed")


if __name__ == "__main__":
    main()
