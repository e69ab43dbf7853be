"""A throwaway pipeline for the reliability experiments: its own PostgreSQL cluster, tracker
processes that can be killed and restarted, and load clients that retry like an SDK.

Standard library only, so the test command can run it with the system's python3.
"""

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout, what, interval=0.1):
    """Polls `condition` until it is truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)


def rss_mb(pid):
    """Resident set size of a live process, in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Cluster:
    """A private PostgreSQL in a temporary folder, started with the project's own helper. With
    `pgbouncer`, a PgBouncer in transaction mode in front of it: the tracker processes then reach the
    database through it (`app_url`) and open their session connections (LISTEN, the leader's lock)
    to the server itself (`app_env`)."""

    def __init__(self, pgbouncer=False, settings=""):
        """`settings`: server options (`-c name=value …`) for every start of the server."""
        self.dir = tempfile.mkdtemp(prefix="tracker-reliability-pg.")
        self.port = free_port()
        self.settings = settings
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/tracker?sslmode=disable"
        self._start()
        self.psql("CREATE DATABASE tracker", database="postgres")
        self.app_url, self.app_env, self.pgbouncer_port = self.url, {}, None
        if pgbouncer:
            self.pgbouncer_port = free_port()
            self._start_pgbouncer()
            self.app_url = self.url.replace(f":{self.port}/", f":{self.pgbouncer_port}/")
            self.app_env = {"TRACKER_DIRECT_DATABASE_URL": self.url}

    def _start(self):
        self._helper(f'start_postgres "{self.dir}" {self.port} "{self.settings}"')

    def _start_pgbouncer(self):
        self._helper(f'start_pgbouncer "{self.dir}/pgbouncer" {self.pgbouncer_port} {self.port}')

    def pgbouncer_transactions(self):
        """Transactions PgBouncer has served on the tracker database since it (last) started."""
        out = subprocess.run(
            [f"{self.bindir()}/psql", f"postgres://postgres@127.0.0.1:{self.pgbouncer_port}/pgbouncer",
             "-qtAX", "-c", "SHOW STATS"], check=True, capture_output=True, text=True, timeout=30)
        rows = [line.split("|") for line in out.stdout.splitlines()]
        return sum(int(row[1]) for row in rows if row[0] == "tracker")

    def kill_pgbouncer(self, down_seconds=1.0):
        """SIGKILLs PgBouncer (every client and server connection through it drops mid-whatever),
        and starts it again after `down_seconds`."""
        with open(f"{self.dir}/pgbouncer/pgbouncer.pid") as file:
            os.kill(int(file.read()), signal.SIGKILL)
        time.sleep(down_seconds)
        os.remove(f"{self.dir}/pgbouncer/pgbouncer.pid")
        self._start_pgbouncer()

    def _helper(self, command):
        subprocess.run(
            ["bash", "-c", f"source {ROOT}/infra/scripts/postgres.sh && {command}"], check=True,
            stdout=subprocess.DEVNULL)

    def bindir(self):
        out = subprocess.run(
            ["bash", "-c", f"source {ROOT}/infra/scripts/postgres.sh && pg_bindir"], check=True,
            capture_output=True, text=True)
        return out.stdout.strip()

    def psql(self, sql, database="tracker", stdin=None):
        url = self.url.replace("/tracker?", f"/{database}?")
        out = subprocess.run(
            [f"{self.bindir()}/psql", url, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql] if stdin is None
            else [f"{self.bindir()}/psql", url, "-v", "ON_ERROR_STOP=1", "-qtAX"],
            input=stdin, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def scalar(self, sql):
        return int(self.psql(sql) or 0)

    def restart_immediate(self, down_seconds=7.0):
        """`pg_ctl stop -m immediate` (a crash from the clients' point of view), `down_seconds` with no
        server — longer than the collector's 5 s flush timeout, so clients must see it (a bare restart is
        ridden out by requests waiting for a connection) — then a start with crash recovery."""
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            user + [f"{self.bindir()}/pg_ctl", "-D", f"{self.dir}/data", "-w", "-m", "immediate", "stop"],
            check=True, stdout=subprocess.DEVNULL)
        time.sleep(down_seconds)
        self._start()

    def stop(self):
        if self.pgbouncer_port:
            self._helper(f'stop_pgbouncer "{self.dir}/pgbouncer"')
        self._helper(f'stop_postgres "{self.dir}"; rm -rf "{self.dir}"')


def migrate(binary, database_url):
    subprocess.run([binary, "migrate"], env=dict(os.environ, DATABASE_URL=database_url, LOG_LEVEL="warning"),
                   check=True, stdout=subprocess.DEVNULL)


class Process:
    """One `tracker` subcommand that can be SIGKILLed and started again on the same port."""

    def __init__(self, binary, role, database_url, env=None):
        self.binary, self.role, self.port = binary, role, free_port()
        self.env = dict(os.environ, DATABASE_URL=database_url, LOG_LEVEL="warning", **(env or {}))
        self.process = None
        self.peak_rss = 0.0
        self.start()

    def start(self):
        """Starts the process; its log goes to $RELIABILITY_LOGS/<role>-<port>.log when that is set."""
        logs = os.environ.get("RELIABILITY_LOGS")
        output = open(f"{logs}/{self.role}-{self.port}.log", "a") if logs else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [self.binary, self.role, "--port", str(self.port), "--host", "127.0.0.1"], env=self.env,
            stdout=output, stderr=output)

    def wait_ready(self, timeout=30):
        def ready():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", "/readyz")
                return connection.getresponse().status == 200
            except OSError:
                return False
        wait_until(ready, timeout, f"{self.role} on port {self.port} ready")

    def sample_rss(self):
        if self.process and self.process.poll() is None:
            self.peak_rss = max(self.peak_rss, rss_mb(self.process.pid))

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


class Load:
    """Clients sending Segment batches like an SDK: a batch is retried with the same messageIds until
    it is acknowledged (2xx), honouring `Retry-After`. Only acknowledged messages count."""

    def __init__(self, port, clients=6, batch=50, target=None, run_id=None, rate=None):
        """`rate`: events/s over all clients (open loop, batches on a fixed schedule); None: flat out."""
        self.port, self.clients, self.batch, self.target = port, clients, batch, target
        self.interval = clients * batch / rate if rate else None
        self.run_id = run_id or f"r{random.randrange(1 << 30):x}"
        self.acked = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.statuses = {}
        self.retry_after_missing = 0
        self.connection_errors = 0
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        """Stops sending new batches; a batch in flight is retried until acknowledged or 60 s pass."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=90)

    @property
    def acked_count(self):
        with self.lock:
            return len(self.acked)

    def _count(self, status, retry_after):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status in (429, 503) and retry_after is None:
                self.retry_after_missing += 1

    def _client(self, number):
        link = {}
        sequence = 0
        next_send = time.monotonic() + (self.interval or 0) * number / self.clients
        while not self.stopping.is_set():
            if self.interval:
                next_send += self.interval
                time.sleep(max(0.0, next_send - self.interval - time.monotonic()))
            if self.target is not None and self.acked_count >= self.target:
                return
            body, ids = self.batch_body(number, sequence)
            sequence += 1
            if self._send_until_acknowledged(body, link):
                with self.lock:
                    self.acked.extend(ids)

    def batch_body(self, number, sequence):
        """Client `number`'s batch `sequence`: the body and its messageIds, the same on every call."""
        ids = [f"{self.run_id}-{number}-{sequence}-{i}" for i in range(self.batch)]
        body = json.dumps({"batch": [
            {"type": "track", "event": "Fault Test", "userId": f"user-{number}-{i % 7}",
             "messageId": message_id, "properties": {"n": i}}
            for i, message_id in enumerate(ids)]}).encode()
        return body, ids

    def _send_until_acknowledged(self, body, link):
        """Sends on the client's kept-alive connection, as SDKs do; a new one after any error."""
        give_up = None
        delay = 0.05
        while True:
            if self.stopping.is_set():
                give_up = give_up or time.monotonic() + 60
                if time.monotonic() > give_up:
                    return False
            try:
                if "connection" not in link:
                    link["connection"] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                link["connection"].request("POST", "/v1/batch", body, {"Content-Type": "application/json"})
                response = link["connection"].getresponse()
                response.read()
                if response.will_close:
                    link.pop("connection").close()
                retry_after = response.getheader("Retry-After")
                self._count(response.status, retry_after)
                if 200 <= response.status < 300:
                    return True
                if response.status < 500 and response.status != 429:
                    raise RuntimeError(f"the collector refused a valid batch: {response.status}")
                time.sleep(min(float(retry_after or delay), 1.0))
            except (OSError, http.client.HTTPException):
                if "connection" in link:
                    link.pop("connection").close()
                with self.lock:
                    self.connection_errors += 1
                time.sleep(delay)
            delay = min(delay * 2, 1.0)


def verify(cluster, acked, drain_timeout=180, during=None):
    """Waits until staging is empty (calling `during` meanwhile, to keep breaking things), then counts
    acknowledged messages stored, lost and duplicated."""
    drain_start = time.monotonic()

    def drained():
        if during:
            during()
        return cluster.scalar("SELECT count(*) FROM ingest_staging") == 0
    wait_until(drained, drain_timeout, "staging drained", interval=0.25)
    drained_in = time.monotonic() - drain_start
    copy = "CREATE TEMP TABLE acked (message_id text);\nCOPY acked FROM STDIN;\n" + "\n".join(acked) + "\n\\.\n"
    # NOT EXISTS in WHERE plans as a hash anti-join; inside an aggregate's FILTER it was a subplan
    # scanning events once per acknowledged message (events has no message_id index).
    result = cluster.psql(None, stdin=copy + """
        ANALYZE acked;
        SELECT (SELECT count(*) FROM acked), (SELECT count(*) FROM acked WHERE NOT EXISTS (
            SELECT FROM events WHERE events.message_id = acked.message_id));
        SELECT count(*), count(*) - count(DISTINCT message_id) FROM events;
        SELECT count(*) FROM failed_events;
        """)
    lines = result.split("\n")
    acknowledged, lost = (int(x) for x in lines[0].split("|"))
    stored, duplicated = (int(x) for x in lines[1].split("|"))
    return {
        "acknowledged": acknowledged,
        "stored": stored,
        "lost": lost,
        "duplicated": duplicated,
        "failed_events": int(lines[2]),
        "drain_seconds": round(drained_in, 1),
    }


def start_pipeline(binary, cluster, workers=2, collector_env=None):
    """A migrated database with a collector, `workers` workers and the query API, all ready."""
    migrate(binary, cluster.url)
    collector = Process(binary, "collector", cluster.url, env=collector_env)
    replicas = [Process(binary, "worker", cluster.url) for _ in range(workers)]
    query = Process(binary, "query", cluster.url)
    for process in [collector, *replicas, query]:
        process.wait_ready()
    return collector, replicas, query


def measure_rates(cluster, collector, seconds, until_refused=0):
    """Flat-out load, measured over `seconds`: (stored/s, acknowledged/s). With `until_refused`, the
    window starts only once the collector first refused with 503 (its backlog limit reached: give it
    a low one) or that many seconds passed, so its backpressure and the clients' waits govern it.
    Waits for the backlog to drain before returning."""
    load = Load(collector.port, clients=8).start()
    deadline = time.monotonic() + until_refused
    while 503 not in load.statuses and time.monotonic() < deadline:
        time.sleep(0.25)
    stored_before, acked_before = cluster.scalar("SELECT count(*) FROM events"), load.acked_count
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    stored = cluster.scalar("SELECT count(*) FROM events") - stored_before
    acknowledged = load.acked_count - acked_before
    load.stop()
    verify(cluster, load.acked)
    return stored / elapsed, acknowledged / elapsed


def measure_maximum(cluster, collector, seconds):
    """Flat-out load for `seconds`: the flat-out rate is what is both acknowledged and stored per
    second while the backlog grows. Returns (maximum, acknowledged/s)."""
    stored, acknowledged = measure_rates(cluster, collector, seconds)
    return min(acknowledged, stored), acknowledged


def replace_section(path, name, lines):
    """Rewrites what lies between `<!-- name:begin -->` and `<!-- name:end -->` in a Markdown file."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    with open(path) as file:
        text = file.read()
    start, stop = text.index(begin), text.index(end) + len(end)
    with open(path, "w") as file:
        file.write(text[:start] + "\n".join([begin, *lines, end]) + text[stop:])
