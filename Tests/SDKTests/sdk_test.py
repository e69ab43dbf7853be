"""Drives the real Segment and RudderStack Python SDKs against a live collector.

Every event the SDKs send must land in ingest_staging exactly once, under the SDK's own messageId.
Usage: sdk_test.py COLLECTOR_URL DATABASE_URL WRITE_KEY
"""
import subprocess
import sys
import time
import uuid

import rudderstack.analytics as rudder
import segment.analytics as segment


def staged_ids(database_url):
    output = subprocess.run(
        ["psql", database_url, "-tAc", "SELECT message_id FROM ingest_staging"],
        check=True, capture_output=True, text=True,
    ).stdout
    return [line for line in output.splitlines() if line]


def drive(sdk, name, host, write_key):
    sdk.write_key = write_key
    sdk.host = host
    if sdk is rudder:
        sdk.dataPlaneUrl = host
    sdk.sync_mode = False
    failures = []
    sdk.on_error = lambda error, items: failures.append(error)
    run = uuid.uuid4().hex[:8]
    sdk.track(f"{name}-user", "Order Completed", {"revenue": 9.99, "run": run})
    sdk.identify(f"{name}-user", {"email": "someone@example.com"})
    sdk.page(f"{name}-user", "Docs", "Install", {"path": "/install"})
    sdk.screen(f"{name}-user", "App", "Settings")
    sdk.group(f"{name}-user", f"{name}-group", {"name": "Acme"})
    sdk.alias(f"{name}-user", f"{name}-previous")
    for index in range(200):
        sdk.track(anonymous_id=f"{name}-anon-{index % 7}", event="Clicked", properties={"index": index})
    sdk.flush()
    return failures, 206


def main():
    host, database_url, write_key = sys.argv[1:4]
    before = set(staged_ids(database_url))
    expected = 0
    for sdk, name in ((segment, "segment"), (rudder, "rudder")):
        failures, sent = drive(sdk, name, host, write_key)
        if failures:
            sys.exit(f"{name} SDK reported errors: {failures}")
        expected += sent
    deadline = time.time() + 30
    while True:
        ids = [i for i in staged_ids(database_url) if i not in before]
        if len(ids) >= expected or time.time() > deadline:
            break
        time.sleep(0.2)
    if len(ids) != expected:
        sys.exit(f"expected {expected} staged messages, found {len(ids)}")
    if len(set(ids)) != len(ids):
        sys.exit("a message was staged twice")
    print(f"SDKs: {expected} events sent by segment-analytics-python and rudder-sdk-python, each staged once")


if __name__ == "__main__":
    main()
