"""Drives the real PostHog Python SDK against a live collector and worker.

Every call must be stored exactly once, under the SDK's own uuid, with the fields the PostHog
mapping gives it; a wrong project key must store nothing and be answered 401.
Usage: posthog_test.py COLLECTOR_URL DATABASE_URL WRITE_KEY SOURCE
"""
import json
import subprocess
import sys
import time
import uuid

import requests
from posthog import Posthog


def sql(database_url, query):
    return subprocess.run(
        ["psql", database_url, "-tAc", query], check=True, capture_output=True, text=True,
    ).stdout.strip()


def stored(database_url, source, ids):
    """message_id → (count, type, event, user_id, anonymous_id, previous_id, traits) of stored events."""
    id_list = ",".join("'" + i + "'" for i in ids)
    rows = sql(database_url, f"""
        SELECT coalesce(json_agg(json_build_array(message_id, n, type, event, user_id, anonymous_id,
                                                  previous_id, traits)), '[]')
        FROM (SELECT message_id, count(*) OVER (PARTITION BY message_id) AS n, type, event, user_id,
                     anonymous_id, previous_id, traits
              FROM events WHERE source = '{source}' AND message_id IN ({id_list})) AS e""")
    return {row[0]: row[1:] for row in json.loads(rows)}


def main():
    host, database_url, write_key, source = sys.argv[1:5]
    run = uuid.uuid4().hex[:8]
    user, anon = f"ph-{run}-user", f"ph-{run}-anon"
    failures = []
    expected = {}  # uuid → (type, event, user_id, anonymous_id, previous_id, a trait that must be there)
    # Both of the SDK's encodings: plain JSON and gzip.
    for gzip in (False, True):
        client = Posthog(write_key, host=host, gzip=gzip, flush_at=50,
                         on_error=lambda error, batch: failures.append(error))
        tag = "gz" if gzip else "plain"
        for index in range(100):
            sent = client.capture("Order Completed", distinct_id=user,
                                  properties={"revenue": 9.99, "index": index, "run": run})
            expected[sent] = ("track", "Order Completed", user, None, None, None)
        sent = client.capture("Clicked", distinct_id=anon, properties={"$is_identified": False})
        expected[sent] = ("track", "Clicked", None, anon, None, None)
        sent = client.capture("$identify", distinct_id=user,
                              properties={"$set": {"email": f"{tag}@example.com"}, "$anon_distinct_id": anon})
        expected[sent] = ("identify", None, user, anon, None, ("email", f"{tag}@example.com"))
        sent = client.set(distinct_id=user, properties={"plan": tag})
        expected[sent] = ("track", "$set", user, None, None, ("plan", tag))
        sent = client.alias(previous_id=user, distinct_id=f"{user}-{tag}")
        expected[sent] = ("alias", None, user, None, f"{user}-{tag}", None)
        sent = client.capture("$pageview", distinct_id=user,
                              properties={"$current_url": f"https://shop.example.com/{tag}?ref=mail"})
        expected[sent] = ("page", f"https://shop.example.com/{tag}?ref=mail", user, None, None, None)
        sent = client.capture("$pageview", distinct_id=user,
                              properties={"$current_url": "https://shop.example.com/pricing", "$pathname": "/pricing"})
        expected[sent] = ("page", "/pricing", user, None, None, None)
        sent = client.capture("$screen", distinct_id=user, properties={"$screen_name": "Settings"})
        expected[sent] = ("screen", "Settings", user, None, None, None)
        client.flush()
        client.shutdown()
    if failures:
        sys.exit(f"posthog SDK reported errors: {failures}")
    if None in expected:
        sys.exit("the SDK dropped a call")

    # A wrong key: the SDK reports it through on_error; a direct request shows the 401 and stores nothing.
    refused = []
    wrong = Posthog("phc_wrong_key", host=host, max_retries=0, on_error=lambda error, batch: refused.append(error))
    wrong_id = wrong.capture("Order Completed", distinct_id=user)
    wrong.flush()
    wrong.shutdown()
    if not refused or getattr(refused[0], "status", None) != 401:
        sys.exit(f"a wrong key should be reported as 401 by the SDK, got {refused}")
    direct_id = str(uuid.uuid4())
    answer = requests.post(f"{host}/batch/", json={"api_key": "phc_wrong_key", "batch": [
        {"event": "Order Completed", "distinct_id": user, "uuid": direct_id}]}, timeout=10)
    if answer.status_code != 401 or answer.json().get("code") != "invalid_write_key":
        sys.exit(f"a wrong key should be answered 401 invalid_write_key, got {answer.status_code} {answer.text}")

    deadline = time.time() + 30
    while True:
        rows = stored(database_url, source, list(expected))
        if len(rows) >= len(expected) or time.time() > deadline:
            break
        time.sleep(0.2)
    missing = [i for i in expected if i not in rows]
    if missing:
        failed = sql(database_url, "SELECT json_agg(json_build_array(message_id, reason, detail)) FROM failed_events "
                     f"WHERE message_id IN ({','.join(repr(i) for i in missing[:5])})")
        sys.exit(f"{len(missing)} of {len(expected)} calls not stored; failed_events: {failed}")
    for sent, want in expected.items():
        count, kind, event, user_id, anonymous_id, previous_id, traits = rows[sent]
        if count != 1:
            sys.exit(f"{sent} stored {count} times")
        got = (kind, event, user_id, anonymous_id, previous_id)
        if got != want[:5]:
            sys.exit(f"{sent}: stored {got}, expected {want[:5]}")
        if want[5] and traits.get(want[5][0]) != want[5][1]:
            sys.exit(f"{sent}: traits {traits} lack {want[5]}")
    leaked = sql(database_url, f"SELECT count(*) FROM events WHERE message_id IN ('{wrong_id}', '{direct_id}')")
    staged = sql(database_url, f"SELECT count(*) FROM ingest_staging WHERE message_id IN ('{wrong_id}', '{direct_id}')")
    if leaked != "0" or staged != "0":
        sys.exit("a request with a wrong key stored something")
    print(f"PostHog SDK: {len(expected)} calls (capture, $identify with $set, set, alias, $pageview, $screen; "
          "plain and gzip) each stored once with the mapped fields; a wrong key got 401 and stored nothing")


if __name__ == "__main__":
    main()
