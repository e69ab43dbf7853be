"""Reads events back through the query API with the Python `requests` library's own encoding.

`requests` encodes query parameters as HTML forms do (a space is `+`, a `+` is `%2B`); the query API
must answer it exactly what it answers the same values percent-encoded with `%20`. Posts events whose
names and ids hold spaces, `+`, `&`, `=`, `%`, non-ASCII and emoji to a live collector, waits until
a worker stored them, then compares both encodings on every read endpoint.
Usage: query_strings_test.py COLLECTOR_URL QUERY_URL WRITE_KEY
"""
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import requests

RUN = uuid.uuid4().hex[:8]
# "Page Viewed" and "Page+Viewed" are both names: a `+` read as a plus, or `%2B` read as a space,
# answers the other one's count.
NAMES = [f"{name} {RUN}" for name in (
    "Page Viewed", "Page+Viewed", "Q&A Opened", "a=b", "100% Done", "Café Ordered", "🚀 Launch", "C++ Build",
)]
PEOPLE = [f"{person} {RUN}" for person in ("user one", "a+b@example.com", "x&y=z", "50% off", "Zoë Ünal", "👩‍💻 dev")]
ANONYMOUS = f"anon one+two&x=% {RUN}"
LEGACY_NAME = f"Legacy & Co. + Ünïcødé 🎉 {RUN}"
LEGACY_USER = f"legacy user+1 {RUN}"


def sent_events():
    """(name, user, anonymous id) of every event: the n-th name n+1 times, so each has its own count."""
    events = []
    for index, name in enumerate(NAMES):
        events += [(name, PEOPLE[(len(events) + k) % len(PEOPLE)], None) for k in range(index + 1)]
    events += [(NAMES[0], None, ANONYMOUS)] * 3
    events += [(LEGACY_NAME, LEGACY_USER, None)] * 2
    return events


def post(collector, write_key, events):
    session = requests.Session()
    session.auth = (write_key, "")
    batch = []
    for index, (name, user, anonymous) in enumerate(events):
        if name == LEGACY_NAME:
            body = {"userId": user, "sessionId": f"s{index}", "eventType": name}
            answer = session.post(f"{collector}/events", json=body, timeout=10)
            assert answer.status_code == 202, answer.text
            continue
        message = {"type": "track", "event": name, "messageId": f"qs-{RUN}-{index}"}
        if user:
            message["userId"] = user
        if anonymous:
            message["anonymousId"] = anonymous
        batch.append(message)
    answer = session.post(f"{collector}/v1/batch", json={"batch": batch}, timeout=10)
    assert answer.status_code == 200, answer.text


def percent_url(base, path, params):
    """The URL with every value percent-encoded by hand, a space as %20."""
    query = "&".join(f"{quote(key, safe='')}={quote(str(value), safe='')}" for key, value in params.items())
    return f"{base}{path}?{query}"


def both(base, path, params):
    """The answers to `requests`' own encoding and to %20, which must be equal; returns the first."""
    by_requests = requests.get(f"{base}{path}", params=params, timeout=10)
    assert "%20" not in by_requests.url, f"requests sent {by_requests.url}"
    by_hand = requests.get(percent_url(base, path, params), timeout=10)
    label = f"{path} {params}"
    assert by_requests.status_code == 200, f"{label}: {by_requests.status_code} {by_requests.text}"
    assert by_hand.status_code == 200, f"{label}: {by_hand.status_code} {by_hand.text}"
    first, second = by_requests.json(), by_hand.json()
    first.pop("as_of", None)
    second.pop("as_of", None)
    assert first == second, f"{label}: requests ({by_requests.url}) and %20 answered differently"
    return first


def main():
    collector, query, write_key = sys.argv[1:4]
    events = sent_events()
    started = datetime.now(timezone.utc) - timedelta(minutes=1)
    post(collector, write_key, events)

    deadline = time.time() + 60
    while True:
        stored = sum(
            requests.get(f"{query}/events", params={"type": name, "limit": 1}, timeout=10).json()["total"]
            for name in NAMES + [LEGACY_NAME])
        if stored == len(events):
            break
        assert time.time() < deadline, f"{stored} of {len(events)} events stored after 60 s"
        time.sleep(0.2)
    # A range whose offset holds a `+` (requests sends it as %2B).
    plus_one = timezone(timedelta(hours=1))
    window = {
        "from": started.astimezone(plus_one).isoformat(timespec="seconds"),
        "to": (datetime.now(timezone.utc) + timedelta(minutes=2)).astimezone(plus_one).isoformat(timespec="seconds"),
    }
    assert "+01:00" in window["from"]

    checked = 0
    for name in NAMES + [LEGACY_NAME]:
        expected = sum(1 for event, _, _ in events if event == name)
        answer = both(query, "/v1/events", {"event": name, "limit": 1000})
        assert [row["event"] for row in answer["data"]] == [name] * expected, f"/v1/events event={name!r}"
        series = both(query, "/v1/stats/timeseries", {"interval": "minute", "event": name, **window})
        assert sum(row["count"] for row in series["data"]) == expected, f"/v1/stats/timeseries event={name!r}"
        legacy = both(query, "/events", {"type": name, "limit": 500})
        assert legacy["total"] == expected, f"/events type={name!r}"
        checked += 3
    for person in PEOPLE + [LEGACY_USER]:
        expected = sum(1 for _, user, _ in events if user == person)
        answer = both(query, "/v1/events", {"user_id": person, "limit": 1000})
        assert [row["user_id"] for row in answer["data"]] == [person] * expected, f"/v1/events user_id={person!r}"
        legacy = both(query, "/events", {"userId": person, "limit": 500})
        assert legacy["total"] == expected, f"/events userId={person!r}"
        checked += 2
    anonymous = both(query, "/v1/events", {"anonymous_id": ANONYMOUS, **window})
    assert len(anonymous["data"]) == 3, "/v1/events anonymous_id"

    counts = {}
    for name, _, _ in events:
        counts[name] = counts.get(name, 0) + 1
    top = both(query, "/v1/stats/top-events", {"limit": 1000, **window})
    assert {row["event"]: row["count"] for row in top["data"] if row["event"] in counts} == counts, "top-events"
    legacy_top = both(query, "/stats/top-event-types", {"limit": 1000, **window})
    assert {r["eventType"]: r["count"] for r in legacy_top["data"] if r["eventType"] in counts} == counts
    per_minute = both(query, "/stats/events-per-minute", window)
    assert sum(row["count"] for row in per_minute["data"]) >= len(events), "events-per-minute"
    active = both(query, "/v1/stats/active-users", {"interval": "day", **window})
    assert sum(row["users"] for row in active["data"]) >= len(PEOPLE) + 2, "active-users"
    checked += 5

    # requests sends a list as the parameter repeated: refused, naming it.
    repeated = requests.get(f"{query}/v1/events", params={"user_id": PEOPLE[:2]}, timeout=10)
    assert repeated.status_code == 400, repeated.text
    assert repeated.json()["code"] == "invalid_parameter", repeated.text
    assert repeated.json()["message"].startswith("user_id is given twice"), repeated.text

    print(f"query strings: {checked} reads answered the same to requests' encoding and to %20, "
          f"for {len(NAMES) + 1} names and {len(PEOPLE) + 2} ids")


if __name__ == "__main__":
    main()
