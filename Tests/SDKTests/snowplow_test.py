"""Drives the real snowplow-tracker Python SDK against a live collector, worker and query API.

POST and GET emitters send page views, structured and self-describing events with a user id: each
must be stored exactly once under the SDK's own event id, with the fields the Snowplow mapping
gives it, and its receipt (GET /v1/messages/{id}) must say so. A wrong app id (the write key)
must store nothing and be answered 401.
Usage: snowplow_test.py COLLECTOR_URL QUERY_URL DATABASE_URL WRITE_KEY SOURCE
"""
import subprocess
import sys
import time
import urllib.parse
import uuid

import requests
import logging

from snowplow_tracker import Emitter, SelfDescribingJson, Subject, Tracker
from snowplow_tracker.events import PageView, SelfDescribing, StructuredEvent


def sql(database_url, query):
    return subprocess.run(
        ["psql", database_url, "-tAc", query], check=True, capture_output=True, text=True,
    ).stdout.strip()


def drive(collector, namespace, write_key, method, user, encode_base64):
    """Sends 10 events of each kind; returns the payloads the emitter reported sent, and failures."""
    sent, failures = [], []
    url = urllib.parse.urlsplit(collector)
    emitter = Emitter(url.hostname, protocol=url.scheme, port=url.port, method=method, batch_size=7,
                      on_success=sent.extend, on_failure=lambda count, events: failures.extend(events))
    subject = Subject().set_user_id(user).set_domain_user_id(f"{user}-device")
    tracker = Tracker(namespace, emitter, subject=subject, app_id=write_key, encode_base64=encode_base64)
    context = SelfDescribingJson("iglu:com.acme/plan/jsonschema/1-0-0", {"plan": "pro"})
    for index in range(10):
        tracker.track(PageView(f"https://shop.example.com/docs/{method}/{index}?ref=mail", "Docs",
                               "https://search.example.com/", context=[context]))
        tracker.track(StructuredEvent("video", "play", label="intro", property_="hd", value=index + 0.5))
        tracker.track(SelfDescribing(
            SelfDescribingJson("iglu:com.acme/checkout_started/jsonschema/1-0-2", {"items": index, "run": namespace}),
            context=[context]))
    tracker.flush()
    return sent, failures


def expected_fields(payload):
    """(type, event, properties that must be there) the mapping gives a sent payload."""
    kind = payload["e"]
    if kind == "pv":
        return "page", urllib.parse.urlsplit(payload["url"]).path, {"title": "Docs", "url": payload["url"]}
    if kind == "se":
        return "track", "play", {"category": "video", "label": "intro", "property": "hd",
                                 "value": float(payload["se_va"])}
    if kind == "ue":
        return "track", "checkout_started", {"run": payload["tna"]}
    raise AssertionError(f"unexpected event type {kind}")


def receipt(query, source, event_id, deadline):
    while True:
        answer = requests.get(f"{query}/v1/messages/{event_id}", params={"source": source}, timeout=5).json()
        if answer["status"] in ("stored", "failed") or time.time() > deadline:
            return answer
        time.sleep(0.2)


def main():
    collector, query, database_url, write_key, source = sys.argv[1:6]
    # The emitter logs every request at INFO; the 401s below are expected.
    logging.getLogger("snowplow_tracker.emitters").setLevel(logging.ERROR)
    run = uuid.uuid4().hex[:8]
    checked = 0
    for method, encode_base64 in (("post", True), ("get", False)):
        namespace = f"sp-{run}-{method}"
        user = f"sp-{run}-user"
        sent, failures = drive(collector, namespace, write_key, method, user, encode_base64)
        if failures or len(sent) != 30:
            sys.exit(f"{method}: the tracker sent {len(sent)} of 30 events; {len(failures)} failed")
        deadline = time.time() + 60
        for payload in sent:
            answer = receipt(query, source, payload["eid"], deadline)
            if answer["status"] != "stored":
                sys.exit(f"{method}: event {payload['eid']} ({payload['e']}) is {answer}")
            event = answer["event"]
            kind, name, properties = expected_fields(payload)
            problems = [
                field for field, value in (("type", kind), ("event", name), ("user_id", user),
                                           ("anonymous_id", f"{user}-device"), ("source", source))
                if event[field] != value
            ] + [key for key, value in properties.items() if event["properties"].get(key) != value]
            if payload["e"] != "se" and not event["context"].get("snowplow", {}).get("contexts"):
                problems.append("context.snowplow.contexts")
            if problems:
                sys.exit(f"{method}: event {payload['eid']} ({payload['e']}) differs in {problems}: {event}")
            checked += 1
        stored = sql(database_url, f"""
            SELECT count(*), count(DISTINCT message_id) FROM events
            WHERE source = '{source}' AND context->'snowplow'->>'tna' = '{namespace}'""")
        if stored != "30|30":
            sys.exit(f"{method}: expected 30 events stored once each, found (count|distinct) {stored}")

    # A wrong app id: refused with 401, nothing stored anywhere.
    namespace = f"sp-{run}-wrong"
    sent, failures = drive(collector, namespace, "not-a-key", "post", f"sp-{run}-user", True)
    if sent or len(failures) != 30:
        sys.exit(f"a wrong app id: {len(sent)} events reported sent, {len(failures)} failed (expected 0 and 30)")
    body = {"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
            "data": [{"e": "pv", "aid": "not-a-key", "tna": namespace, "url": "https://a.example/"}]}
    direct = requests.post(f"{collector}/com.snowplowanalytics.snowplow/tp2", json=body, timeout=5)
    pixel = requests.get(f"{collector}/i", params=body["data"][0], timeout=5)
    if direct.status_code != 401 or pixel.status_code != 401:
        sys.exit(f"a wrong app id was answered {direct.status_code} (POST) and {pixel.status_code} (pixel), not 401")
    left = sql(database_url, f"""
        SELECT (SELECT count(*) FROM events WHERE context->'snowplow'->>'tna' = '{namespace}')
             + (SELECT count(*) FROM ingest_staging WHERE strpos(payload, '{namespace}') > 0)
             + (SELECT count(*) FROM failed_events WHERE strpos(payload, '{namespace}') > 0)""")
    if left != "0":
        sys.exit(f"a wrong app id stored {left} events")
    print(f"Snowplow: {checked} events from snowplow-tracker's POST and GET emitters stored once each with their "
          "mapped fields and receipts; a wrong app id answered 401 and stored nothing")


if __name__ == "__main__":
    main()
