#!/usr/bin/env python3
"""Hostile input against a live collector: every case must get its 4xx with a JSON error body (or,
for valid-but-odd JSON, its 2xx), never a 5xx, a crash or a request hanging past its timeout, while
a steady stream of valid requests keeps getting 2xx the whole time.

    python3 infra/reliability/hostile.py http://127.0.0.1:8080 [--write-key K] [--body-timeout 10] [--idle 500]
        [--query http://127.0.0.1:8081 --collector-pid PID]

With --query, messages built to stop the worker (a 20 KB id, one character carrying thousands of
combining marks) must end in failed_events while valid events sent after them are stored within
seconds, and a Snowplow event that cannot be translated must fail alone (its batch's valid event
stored; --source names the source receipts are read from). With --collector-pid, the collector's peak resident memory must stay under 150 MB.
"""

import argparse
import base64
import gzip
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

MAX_REQUEST = 500 * 1024
MAX_MESSAGE = 32 * 1024
# Sent with every request when the collector wants a write key (--write-key).
AUTH = {}


def track(i=0, **extra):
    return dict({"type": "track", "event": "Hostile", "userId": f"hostile-{i}"}, **extra)


def batch(messages):
    return json.dumps({"batch": messages}).encode()


def cases():
    """(name, path, body bytes, extra headers, expected status, expected code or None)."""
    json_headers = {"Content-Type": "application/json"}
    gz = dict(json_headers, **{"Content-Encoding": "gzip"})
    yield "invalid JSON", "/v1/batch", b'{"batch":[', json_headers, 400, "invalid_json"
    yield "invalid UTF-8", "/v1/track", b'{"userId":"\xff\xfe","event":"E"}', json_headers, 400, "invalid_json"
    yield "raw NUL byte", "/v1/track", b'{"userId":"a\x00b","event":"E"}', json_headers, 400, "invalid_json"
    yield "lone surrogate escape", "/v1/track", b'{"userId":"\\ud800","event":"E"}', json_headers, 400, "invalid_json"
    yield "NUL escape", "/v1/track", b'{"userId":"a\\u0000b","event":"E"}', json_headers, 200, None
    for shape in [b"[]", b'"text"', b"42", b"null", b'{"batch":{}}', b'{"batch":[1,2]}', b'{"batch":"x"}']:
        yield f"top-level {shape.decode()}", "/v1/batch", shape, json_headers, 400, "invalid_shape"
    yield "empty body", "/v1/track", b"", json_headers, 400, "invalid_json"
    yield "gzip bomb (100 MB of zeros)", "/v1/batch", gzip.compress(b"0" * 100_000_000, 9), gz, 413, \
        "request_too_large"
    yield "truncated gzip", "/v1/batch", gzip.compress(batch([track()]))[:-12], gz, 400, "invalid_gzip"
    yield "not gzip at all", "/v1/batch", b"plain text", gz, 400, "invalid_gzip"
    filler = "x" * (MAX_MESSAGE - 200)
    per_request = MAX_REQUEST // (MAX_MESSAGE - 100)
    under = batch([track(i, properties={"f": filler}) for i in range(per_request)])
    yield f"body just under {MAX_REQUEST // 1024} KB", "/v1/batch", under, json_headers, 200, None
    over = batch([track(i, properties={"f": filler}) for i in range(per_request + 1)])
    yield f"body just over {MAX_REQUEST // 1024} KB", "/v1/batch", over, json_headers, 413, "request_too_large"
    just = json.dumps(track(properties={"f": ""})).encode()
    pad = MAX_MESSAGE - len(just)
    yield "message of exactly 32 KB", "/v1/track", json.dumps(track(properties={"f": "y" * pad})).encode(), \
        json_headers, 200, None
    yield "message 1 byte over 32 KB", "/v1/track", json.dumps(track(properties={"f": "y" * (pad + 1)})).encode(), \
        json_headers, 413, "message_too_large"
    yield "3,000-message batch", "/v1/batch", batch([track(i) for i in range(3000)]), json_headers, 413, \
        "too_many_messages"
    yield "2,500-message batch", "/v1/batch", batch([track(i) for i in range(2500)]), json_headers, 200, None
    deep = b'{"batch":[{"type":"track","userId":"u","event":"E","properties":{"x":' + b"[" * 10000 + \
        b"]" * 10000 + b"}}]}"
    yield "10,000-deep nesting", "/v1/batch", deep, json_headers, 400, "invalid_json"
    yield "huge numbers", "/v1/track", b'{"userId":"u","event":"E","properties":{"a":1e999999,"b":' + \
        b"9" * 5000 + b"}}", json_headers, 200, None
    yield "wrong content type", "/v1/track", b"<xml/>", {"Content-Type": "application/xml"}, 415, \
        "unsupported_media_type"
    yield "unknown encoding", "/v1/track", b"{}", dict(json_headers, **{"Content-Encoding": "br"}), 415, \
        "unsupported_encoding"
    tiny = [{"type": "track", "event": "E", "userId": "u"}] * 2500
    envelope = {"pad": "x" * 330_000}
    yield "gzip batch of 2,500 tiny messages under a 330 KB context", "/v1/batch", \
        gzip.compress(json.dumps({"context": envelope, "batch": tiny}).encode(), 9), gz, 413, "envelope_too_large"
    full = {"pad": "x" * (MAX_MESSAGE - 200)}
    yield "gzip batch of 2,500 tiny messages under a 32 KB context", "/v1/batch", \
        gzip.compress(json.dumps({"context": full, "batch": tiny}).encode(), 9), gz, 200, None
    yield "original tracker, array body", "/events", b"[1]", json_headers, 400, None
    yield "original tracker, 1 KB source", "/events", json.dumps(
        {"userId": "u", "sessionId": "s", "eventType": "E", "source": "s" * 1000}).encode(), json_headers, 400, None
    yield "unknown route", "/v1/nothing", b"{}", json_headers, 404, None
    yield from posthog_cases()
    yield from snowplow_cases()


def posthog_cases():
    """PostHog's capture paths: its own encodings (gzip-js, base64 forms) and its body shapes."""
    text = {"Content-Type": "text/plain"}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    event = {"event": "Hostile", "distinct_id": "posthog-hostile"}
    yield "PostHog gzip bomb via compression=gzip-js", "/e/?compression=gzip-js", \
        gzip.compress(b" " * 100_000_000, 9), text, 413, "request_too_large"
    yield "PostHog truncated gzip-js", "/e/?compression=gzip-js", gzip.compress(json.dumps([event]).encode())[:-9], \
        text, 400, "invalid_gzip"
    yield "PostHog bad base64", "/e/?compression=base64", b"data=!!!not-base64!!!", form, 400, "invalid_base64"
    yield "PostHog form without data", "/e/?compression=base64", b"other=1", form, 400, "invalid_form"
    yield "PostHog lz64", "/e/?compression=lz64", b"x", text, 415, "unsupported_encoding"
    yield "PostHog batch that is not an array", "/batch/", b'{"batch":{"event":"E"}}', text, 400, "invalid_shape"
    yield "PostHog 3,000 events", "/batch/", json.dumps([event] * 3000).encode(), text, 413, "too_many_messages"
    yield "PostHog event over 32 KB", "/capture/", json.dumps(dict(event, properties={"f": "x" * MAX_MESSAGE})).encode(), \
        text, 413, "message_too_large"
    deep = b'[{"event":"E","distinct_id":"u","properties":{"x":' + b"[" * 10000 + b"]" * 10000 + b"}}]"
    yield "PostHog 10,000-deep properties", "/i/v0/e/", deep, text, 400, "invalid_json"
    yield "PostHog NUL escapes and a giant context", "/batch/", json.dumps({"batch": [dict(
        event, distinct_id="a\u0000b", uuid="nul\u0000id", properties={"$set": {"pad": "x" * 30_000}})]}).encode(), \
        text, 200, None


def snowplow_cases():
    """Snowplow's tracker protocol 2: its self-describing wrappers and base64url fields."""
    tp2 = "/com.snowplowanalytics.snowplow/tp2"
    schema = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
    contexts = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
    json_headers = {"Content-Type": "application/json"}
    event = {"e": "pv", "duid": "snowplow-hostile", "url": "https://hostile.example/"}

    def payload(*events, schema=schema):
        return json.dumps({"schema": schema, "data": list(events)}).encode()

    def b64url(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    yield "Snowplow wrong payload schema", tp2, payload(event, schema="iglu:com.acme/payload_data/jsonschema/1-0-4"), \
        json_headers, 400, "invalid_snowplow_payload"
    yield "Snowplow number instead of string", tp2, payload(dict(event, dtm=1)), json_headers, 400, \
        "invalid_snowplow_payload"
    # An event the translation cannot map fails alone (in failed_events): the valid event beside it
    # is stored and the request answered 200, since trackers do not retry a 400.
    yield "Snowplow bad base64 in ue_px", tp2, payload(event, dict(event, e="ue", ue_px="!!!not-base64!!!")), \
        json_headers, 200, None
    yield "Snowplow base64 of a non-JSON cx", tp2, payload(event, dict(event, cx=base64.urlsafe_b64encode(
        b"\xff{").decode())), json_headers, 200, None
    deep = '{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":' + "[" * 10000 + \
        "]" * 10000 + "}"
    yield "Snowplow 10,000-deep ue_pr", tp2, payload(event, dict(event, e="ue", ue_pr=deep)), json_headers, 200, None
    yield "Snowplow unknown e and a non-numeric se_va", tp2, payload(event, dict(event, e="zz"), dict(
        event, e="se", se_ac="a", se_va="ten")), json_headers, 200, None
    giant = {"schema": contexts, "data": [{"schema": "iglu:com.acme/pad/jsonschema/1-0-0", "data": {"pad": "x" * 40_000}}]}
    yield "Snowplow giant contexts", tp2, payload(dict(event, cx=b64url(giant))), json_headers, 413, "message_too_large"
    yield "Snowplow gzip bomb", tp2, gzip.compress(b" " * 100_000_000, 9), dict(json_headers, **{"Content-Encoding": "gzip"}), \
        413, "request_too_large"
    yield "Snowplow 3,000 events", tp2, payload(*[event] * 3000), json_headers, 413, "too_many_messages"
    yield "Snowplow NUL escapes", tp2, payload(dict(event, eid="nul\u0000id", duid="a\u0000b", page="t\u0000")), \
        json_headers, 200, None


class Steady(threading.Thread):
    """Valid requests every 20 ms; any non-2xx or error fails the run."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.stopping = threading.Event()
        self.ok = 0
        self.failures = []

    def run(self):
        body = json.dumps(track(0, event="Steady")).encode()
        while not self.stopping.is_set():
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
                connection.request("POST", "/v1/track", body, dict({"Content-Type": "application/json"}, **AUTH))
                status = connection.getresponse().status
                connection.close()
                if 200 <= status < 300:
                    self.ok += 1
                else:
                    self.failures.append(f"valid request answered {status}")
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(f"valid request failed: {error!r}")
            time.sleep(0.02)


def send(host, port, path, body, headers, timeout=30):
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.request("POST", path, body, dict(headers, **AUTH))
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def slow_loris(host, port, body_timeout):
    """Headers, then one body byte a second: the collector must answer 408 and close in time."""
    started = time.monotonic()
    with socket.create_connection((host, port)) as sock:
        auth = "".join(f"{name}: {value}\r\n" for name, value in AUTH.items()).encode()
        sock.sendall(b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
                     + b"Content-Length: 1000\r\n\r\n{")
        sock.settimeout(0.5)
        received = b""
        while time.monotonic() - started < body_timeout + 10:
            try:
                sock.sendall(b" ")
            except OSError:
                break
            try:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
            except socket.timeout:
                pass
            time.sleep(0.5)
    elapsed = time.monotonic() - started
    status = int(received.split(b" ")[1]) if received.startswith(b"HTTP/1.1 ") else None
    return status, elapsed, received


def pipeline_survives(host, port, query):
    """Messages that once stopped every worker, then valid ones: the valid ones must be stored within
    seconds and the hostile ones refused (failed_events), not retried forever."""
    marker = f"after-hostile-{int(time.time() * 1000)}"
    hostile = [
        track(0, userId="".join(chr(97 + (i * 7) % 26) for i in range(20_000))),
        track(0, anonymousId="e" + "\u0301" * 5000, userId=None),
        track(0, event="e" + "\u0301" * 5000),
    ]
    for message in hostile:
        message = {key: value for key, value in message.items() if value is not None}
        status, data = send(host, port, "/v1/track", json.dumps(message).encode(), {"Content-Type": "application/json"})
        if status != 200:
            return f"a hostile message was answered {status}: {data[:120]!r}"
    for i in range(5):
        status, _ = send(host, port, "/v1/track", json.dumps(track(i, userId=marker)).encode(),
                         {"Content-Type": "application/json"})
        if status != 200:
            return f"a valid message after them was answered {status}"
    url = urllib.parse.urlparse(query)
    deadline = time.monotonic() + 15
    stored = -1
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", "/v1/events?" + urllib.parse.urlencode({"user_id": marker}))
        answer = json.loads(connection.getresponse().read())
        connection.close()
        stored = len(answer.get("data", []))
        if stored == 5:
            return None
        time.sleep(0.2)
    return f"valid events sent after hostile ids: {stored} of 5 stored within 15 s"


def snowplow_refusals_fail_alone(host, port, query, source):
    """A tp2 batch of one valid and one untranslatable event: answered 200, the valid one stored and
    the other in failed_events with its reason (read through the query API's receipts)."""
    run = int(time.time() * 1000)
    good, bad = f"sp-good-{run}", f"sp-bad-{run}"
    body = json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": [
        {"e": "pv", "eid": good, "duid": "snowplow-hostile", "url": "https://hostile.example/"},
        {"e": "ue", "eid": bad, "duid": "snowplow-hostile", "ue_px": "!!!not-base64!!!"},
    ]}).encode()
    status, data = send(host, port, "/com.snowplowanalytics.snowplow/tp2", body, {"Content-Type": "application/json"})
    if status != 200:
        return f"Snowplow batch with one untranslatable event answered {status}: {data[:120]!r}"
    url = urllib.parse.urlparse(query)
    deadline = time.monotonic() + 15
    seen = {}
    while time.monotonic() < deadline:
        for message_id in (good, bad):
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
            connection.request("GET", f"/v1/messages/{message_id}?" + urllib.parse.urlencode({"source": source}))
            seen[message_id] = json.loads(connection.getresponse().read())
            connection.close()
        if seen[good].get("status") == "stored" and seen[bad].get("status") == "failed":
            reason = seen[bad].get("failed", {}).get("reason")
            return None if reason == "unknown_type" else f"Snowplow untranslatable event failed as {reason!r}"
        time.sleep(0.2)
    return f"Snowplow receipts after 15 s: valid {seen[good].get('status')!r}, untranslatable {seen[bad].get('status')!r}"


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--body-timeout", type=float, default=10, help="the collector's TRACKER_BODY_TIMEOUT")
    parser.add_argument("--idle", type=int, default=500, help="idle connections to hold open at once")
    parser.add_argument("--write-key", help="sent as the Basic username of every request")
    parser.add_argument("--query", help="the query API's URL: check that the pipeline goes on after hostile ids")
    parser.add_argument("--source", default="default", help="the source the write key (or none) stores to")
    parser.add_argument("--collector-pid", type=int, help="check the collector's peak resident memory")
    args = parser.parse_args()
    if args.write_key:
        AUTH["Authorization"] = "Basic " + base64.b64encode(f"{args.write_key}:".encode()).decode()
    url = urllib.parse.urlparse(args.url)
    host, port = url.hostname, url.port

    steady = Steady(host, port)
    steady.start()
    failures = []
    for name, path, body, headers, expected, code in cases():
        started = time.monotonic()
        try:
            status, data = send(host, port, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{name}: {error!r}")
            print(f"   FAIL {name}: {error!r}")
            continue
        elapsed = time.monotonic() - started
        problem = None
        if status >= 500:
            problem = f"answered {status}"
        elif status != expected:
            problem = f"answered {status}, expected {expected}: {data[:160]!r}"
        elif status >= 400:
            try:
                answer = json.loads(data)
            except ValueError:
                answer = None
            if not isinstance(answer, dict) or not (answer.get("code") or answer.get("error")):
                problem = f"{status} without a JSON error body: {data[:160]!r}"
            elif code and answer.get("code") != code:
                problem = f"code {answer.get('code')!r}, expected {code!r}"
        print(f"   {'ok  ' if not problem else 'FAIL'} {name}: {status} in {elapsed * 1000:.0f} ms"
              + (f" — {problem}" if problem else ""))
        if problem:
            failures.append(f"{name}: {problem}")

    status, elapsed, _ = slow_loris(host, port, args.body_timeout)
    ok = status == 408 and elapsed < args.body_timeout + 5
    print(f"   {'ok  ' if ok else 'FAIL'} slow body (1 byte/s): {status} after {elapsed:.1f} s")
    if not ok:
        failures.append(f"slow body: {status} after {elapsed:.1f} s")

    idle = []
    try:
        for _ in range(args.idle):
            idle.append(socket.create_connection((host, port), timeout=5))
        status, _ = send(host, port, "/v1/track", json.dumps(track(1)).encode(), {"Content-Type": "application/json"})
        ok = status == 200
        print(f"   {'ok  ' if ok else 'FAIL'} {len(idle)} idle connections held open: a valid request got {status}")
        if not ok:
            failures.append(f"with {len(idle)} idle connections a valid request got {status}")
    except OSError as error:
        failures.append(f"idle connections: {error!r} after {len(idle)}")
        print(f"   FAIL idle connections: {error!r} after {len(idle)}")
    finally:
        for sock in idle:
            sock.close()

    if args.query:
        problem = pipeline_survives(host, port, args.query)
        print(f"   {'ok  ' if not problem else 'FAIL'} hostile ids, then valid events: "
              + (problem or "the valid ones were stored"))
        if problem:
            failures.append(problem)
        problem = snowplow_refusals_fail_alone(host, port, args.query, args.source)
        print(f"   {'ok  ' if not problem else 'FAIL'} Snowplow batch with an untranslatable event: "
              + (problem or "200, the valid event stored, the other failed as unknown_type"))
        if problem:
            failures.append(problem)
    if args.collector_pid:
        peak = peak_rss_mb(args.collector_pid)
        ok = peak is not None and peak < 150
        print(f"   {'ok  ' if ok else 'FAIL'} collector peak resident memory: {peak:.0f} MB (limit 150 MB)")
        if not ok:
            failures.append(f"collector peak resident memory {peak} MB")

    steady.stopping.set()
    steady.join()
    failures += steady.failures[:5]
    print(f"   valid requests alongside: {steady.ok} answered 2xx, {len(steady.failures)} not")
    if steady.ok == 0:
        failures.append("no valid request was answered 2xx")
    if failures:
        print("hostile input: FAILED\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("hostile input: every case answered as expected")


if __name__ == "__main__":
    main()
