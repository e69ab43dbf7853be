"""The collector from a web page on another origin, in a real browser (Debian's chromium, headless).

Two pages are served by python's http.server on two loopback ports (two origins). From the first,
against a collector allowing every origin: a `fetch` of JSON with a write key (a preflight), a
`sendBeacon` with text/plain, the original tracker's `POST /events`, PostHog's `/batch/`, and the
bodies of a 400 and a 401 read by the page. Then a collector started with TRACKER_CORS_ORIGINS
naming the first origin only: the first page still sends, the second one's browser refuses
after the preflight, and nothing it tried is stored. Every accepted event is stored once.

Usage: cors_test.py --binary .build/debug/tracker --database-url URL --collector URL --write-key KEY
(a worker must be draining the database).
"""
import argparse
import base64
import functools
import http.server
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

RUN = uuid.uuid4().hex[:8]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_page(directory):
    """An http.server on its own port: its own origin."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


# Runs in the page: a fetch whose outcome (status and body, or the browser's refusal) comes back.
FETCH = """
const [url, init, done] = arguments;
fetch(url, init)
  .then(async response => done({status: response.status, body: await response.text()}))
  .catch(error => done({refused: String(error)}));
"""


def send(driver, url, body, headers=None, credentials="same-origin"):
    init = {"method": "POST", "headers": headers or {}, "body": body, "credentials": credentials}
    return driver.execute_async_script(FETCH, url, init)


def stored(database_url, ids):
    """message_id → number of stored copies, for `ids`."""
    quoted = ",".join("'" + i + "'" for i in ids)
    output = subprocess.run(
        ["psql", database_url, "-tAc",
         f"SELECT message_id, count(*) FROM events WHERE message_id IN ({quoted}) GROUP BY 1"],
        check=True, capture_output=True, text=True).stdout
    return {line.split("|")[0]: int(line.split("|")[1]) for line in output.splitlines() if line}


def staged_or_stored(database_url, message_id):
    output = subprocess.run(
        ["psql", database_url, "-tAc",
         f"SELECT (SELECT count(*) FROM events WHERE message_id = '{message_id}')"
         f" + (SELECT count(*) FROM ingest_staging WHERE message_id = '{message_id}')"],
        check=True, capture_output=True, text=True).stdout
    return int(output.strip())


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--collector", required=True)
    parser.add_argument("--write-key", required=True)
    args = parser.parse_args()
    key = args.write_key
    auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    pages = tempfile.mkdtemp()
    with open(os.path.join(pages, "index.html"), "w") as page:
        page.write("<!doctype html><title>shop</title><p>A page on another origin.</p>")
    _, origin_a = serve_page(pages)
    _, origin_b = serve_page(pages)
    restricted_port = free_port()
    restricted_url = f"http://127.0.0.1:{restricted_port}"
    restricted = subprocess.Popen(
        [args.binary, "collector", "--port", str(restricted_port), "--host", "127.0.0.1"],
        env={**os.environ, "DATABASE_URL": args.database_url, "TRACKER_WRITE_KEYS": f"{key}:sdk",
             "TRACKER_CORS_ORIGINS": origin_a, "LOG_LEVEL": "warning"})
    driver = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{restricted_url}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            check(time.monotonic() < deadline, "the restricted collector did not become ready")
            time.sleep(0.1)
        driver = browser()
        driver.set_script_timeout(20)
        driver.get(f"{origin_a}/index.html")
        collector = args.collector
        expected = []

        # JSON with a write key: the browser sends a preflight first.
        track = json.dumps({"userId": f"cors-{RUN}", "event": "Fetched", "messageId": f"cors-{RUN}-fetch"})
        answer = send(driver, f"{collector}/v1/track", track, {"Content-Type": "application/json", **auth})
        check(answer.get("status") == 200 and json.loads(answer["body"]) == {"success": True}, f"fetch: {answer}")
        expected.append(f"cors-{RUN}-fetch")

        # With cookies, as Snowplow's browser tracker sends by default: a browser refuses `*` here.
        track = json.dumps({"userId": f"cors-{RUN}", "event": "Fetched", "messageId": f"cors-{RUN}-cookies"})
        answer = send(driver, f"{collector}/v1/track", track, {"Content-Type": "application/json", **auth},
                      credentials="include")
        check(answer.get("status") == 200, f"fetch with credentials: {answer}")
        expected.append(f"cors-{RUN}-cookies")

        # sendBeacon: text/plain, no preflight, the key in the body.
        beacon = json.dumps({"writeKey": key, "anonymousId": f"cors-{RUN}", "event": "Beaconed",
                             "messageId": f"cors-{RUN}-beacon"})
        queued = driver.execute_script("return navigator.sendBeacon(arguments[0], arguments[1])",
                                       f"{collector}/v1/track", beacon)
        check(queued is True, "sendBeacon was not queued")
        expected.append(f"cors-{RUN}-beacon")

        # The original tracker's POST /events.
        legacy = json.dumps({"userId": f"cors-{RUN}", "sessionId": "s1", "eventType": "legacy_click"})
        answer = send(driver, f"{collector}/events", legacy, {"Content-Type": "application/json", **auth})
        check(answer.get("status") == 202, f"POST /events: {answer}")
        expected.append(json.loads(answer["body"])["eventId"])

        # PostHog's capture, as posthog-js sends it.
        posthog = json.dumps({"api_key": key, "batch": [
            {"event": "$pageview", "distinct_id": f"cors-{RUN}", "uuid": f"cors-{RUN}-posthog",
             "properties": {"$pathname": "/shop"}}]})
        answer = send(driver, f"{collector}/batch/", posthog, {"Content-Type": "text/plain"})
        check(answer.get("status") == 200 and json.loads(answer["body"]) == {"status": 1}, f"posthog: {answer}")
        expected.append(f"cors-{RUN}-posthog")

        # Refusals the page can read: the error body crosses the origin too.
        answer = send(driver, f"{collector}/v1/track", '{"userId":', {"Content-Type": "application/json", **auth})
        check(answer.get("status") == 400 and json.loads(answer["body"])["code"] == "invalid_json",
              f"a 400's body: {answer}")
        answer = send(driver, f"{collector}/v1/track", track,
                      {"Content-Type": "application/json", "Authorization": "Basic d3Jvbmc6"})
        check(answer.get("status") == 401 and json.loads(answer["body"])["code"] == "invalid_write_key",
              f"a 401's body: {answer}")

        # A collector allowing only the first page's origin.
        allowed = json.dumps({"userId": f"cors-{RUN}", "event": "Allowed", "messageId": f"cors-{RUN}-allowed"})
        answer = send(driver, f"{restricted_url}/v1/track", allowed, {"Content-Type": "application/json", **auth})
        check(answer.get("status") == 200, f"allowed origin: {answer}")
        expected.append(f"cors-{RUN}-allowed")
        driver.get(f"{origin_b}/index.html")
        refused = json.dumps({"userId": f"cors-{RUN}", "event": "Refused", "messageId": f"cors-{RUN}-refused"})
        answer = send(driver, f"{restricted_url}/v1/track", refused, {"Content-Type": "application/json", **auth})
        check("refused" in answer, f"the browser should refuse a disallowed origin: {answer}")

        deadline = time.monotonic() + 30
        while True:
            copies = stored(args.database_url, expected)
            if len(copies) == len(expected) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        check(copies == {message_id: 1 for message_id in expected}, f"stored {copies}, expected each of {expected} once")
        check(staged_or_stored(args.database_url, f"cors-{RUN}-refused") == 0, "the refused request was stored")
        print(f"browser CORS: fetch with preflight, sendBeacon, POST /events and PostHog from {origin_a} each stored "
              f"once; a 400 and a 401 read by the page; {origin_b} refused by a restricted collector, nothing stored")
    finally:
        if driver:
            driver.quit()
        restricted.terminate()
        restricted.wait(timeout=10)


if __name__ == "__main__":
    main()
