"""The Explorer page in a real browser: Debian's chromium, headless, driven by Selenium.

Seeds events through a live collector, waits until a worker stored them, then checks the page
against the query API's own answers: the overview's numbers, range and interval in the URL and the
chart, back/forward, the live tail, a person's pages, erasure, replay of a failed event, read tokens
(a second query process started with TRACKER_READ_TOKENS), the analysis views, and that no request
of the browser left 127.0.0.1.

Usage:
  explorer_test.py --binary .build/debug/tracker --database-url URL \\
      [--collector URL --query URL --write-key KEY] [--screenshots docs/screenshots]
Without --collector/--query it migrates the database and starts `tracker all` on free ports itself.
--screenshots saves each view at 1280x800 and 390x844.
"""
import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

RUN = uuid.uuid4().hex[:8]
PERSON = f"explorer-{RUN}"
ERASED = f"erase-{RUN}"
LIVE = f"live-{RUN}"
NAMES = ["Page Viewed", "Signed Up", "Added to Cart", "Checked Out", "Searched", "Shared"]
PERSON_EVENTS = 30
# The browser's time zone: not UTC, so a time shown in the viewer's zone differs from its UTC title.
ZONE, ZONE_OFFSET = "Asia/Kolkata", timedelta(hours=5, minutes=30)
STARTED = time.monotonic()
processes = []


def log(text):
    print(f"[{time.monotonic() - STARTED:5.1f} s] {text}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def until(what, check, seconds=10.0, every=0.05):
    """Waits for check() to be truthy (ignoring a page re-render under our feet); fails naming `what`."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (StaleElementReferenceException, requests.RequestException, KeyError, ValueError):
            pass
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds} s waiting for {what} (last: {last!r})")


def start(binary, role_args, env, url):
    process = subprocess.Popen([binary, *role_args], env={**os.environ, "LOG_LEVEL": "warning", **env})
    processes.append(process)
    until(f"{url}/readyz", lambda: requests.get(f"{url}/readyz", timeout=1).status_code == 200, 30)
    return process


def iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class API:
    def __init__(self, collector, query, write_key, token=None):
        self.collector, self.query = collector, query
        self.session = requests.Session()
        self.write = requests.Session()
        if write_key:
            self.write.auth = (write_key, "")
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **params):
        answer = self.session.get(f"{self.query}{path}", params=params, timeout=10)
        assert answer.status_code == 200, f"GET {path} {params}: {answer.status_code} {answer.text}"
        return answer.json()

    def status(self, path, **params):
        return self.session.get(f"{self.query}{path}", params=params, timeout=10).status_code

    def batch(self, messages):
        for start_at in range(0, len(messages), 500):
            answer = self.write.post(
                f"{self.collector}/v1/batch", json={"batch": messages[start_at:start_at + 500]}, timeout=10)
            assert answer.status_code == 200, answer.text


def seed(api):
    """Events over the last 24 hours: six names at different rates, twenty people, one person with
    30 events, one to erase, and a track call without a name, which the worker refuses."""
    now = datetime.now(timezone.utc)
    messages = []
    for index in range(240):
        name = NAMES[min(int((index * 7919 % 240) ** 0.5 / 2.6), len(NAMES) - 1)]
        messages.append({
            "type": "track", "event": name, "userId": f"user-{RUN}-{index % 20}", "messageId": f"ex-{RUN}-{index}",
            "timestamp": iso(now - timedelta(minutes=(index * 37) % (23 * 60))),
            "properties": {"plan": ["free", "pro", "team"][index % 3]},
        })
    # A funnel people go through, fewer at each step: 40 view, 24 sign up, 16 add to cart, 10 buy.
    for buyer in range(40):
        steps = 1 + (buyer < 24) + (buyer < 16) + (buyer < 10)
        for step, name in enumerate(["Page Viewed", "Signed Up", "Added to Cart", "Checked Out"][:steps]):
            messages.append({
                "type": "track", "event": name, "userId": f"buyer-{RUN}-{buyer}", "messageId": f"ex-{RUN}-b{buyer}-{step}",
                "timestamp": iso(now - timedelta(minutes=(buyer * 29) % (20 * 60) + 30 - 5 * step)),
                "properties": {"plan": ["free", "pro", "team"][buyer % 3]},
            })
    for index in range(PERSON_EVENTS):
        messages.append({
            "type": "track", "event": NAMES[index % 3], "userId": PERSON, "messageId": f"ex-{RUN}-p{index}",
            "timestamp": iso(now - timedelta(minutes=5 * index + 1)), "properties": {"step": index},
        })
    for index in range(3):
        messages.append({
            "type": "track", "event": "Signed Up", "userId": ERASED, "messageId": f"ex-{RUN}-e{index}",
            "timestamp": iso(now - timedelta(minutes=index + 2)),
        })
    messages.append({"type": "track", "userId": f"broken-{RUN}", "messageId": f"ex-{RUN}-failed"})
    # Other refusals, so the failed view has reasons to tell apart.
    messages += [
        {"type": "bogus", "userId": f"broken-{RUN}", "messageId": f"ex-{RUN}-bogus"},
        {"type": "track", "event": "Orphan", "messageId": f"ex-{RUN}-orphan"},
        {"type": "track", "event": "Late", "userId": f"broken-{RUN}", "timestamp": "yesterday",
         "messageId": f"ex-{RUN}-late"},
    ]
    api.batch(messages)
    until("the seeded person's events stored",
          lambda: len(api.get("/v1/events", user_id=PERSON, limit=100)["data"]) == PERSON_EVENTS)
    until("the erasable person's events stored", lambda: len(api.get("/v1/events", user_id=ERASED)["data"]) == 3)
    until("the refused message in failed_events", lambda: failed_id(api))


def failed_id(api, reason="missing_event", tag="failed"):
    """The id of this run's failed event tagged `tag` (its messageId), or None."""
    for row in api.get("/v1/failed-events", reason=reason, limit=1000)["data"]:
        if f"ex-{RUN}-{tag}" in row["payload"]:
            return row["id"]
    return None


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions", "--lang=en-US",
                 "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                 f"--window-size={width},{height}", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_window_size(width, height)
    # The viewport itself, whatever the window frame takes.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ZONE})
    return driver


class Page:
    """One browser on the Explorer; every URL it requested is kept for the final check."""

    def __init__(self, base, width=1280, height=800):
        self.base = base
        self.driver = browser(width, height)
        self.urls = []
        self.console = []

    def open(self, query):
        self.driver.get(f"{self.base}/?{query}" if query else f"{self.base}/")

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def visible(self, css):
        elements = self.all(css)
        return elements[0] if elements and elements[0].is_displayed() else None

    def params(self):
        return parse_qs(urlparse(self.driver.current_url).query)

    def text(self, css):
        element = self.visible(css)
        return element.text if element else ""

    def collect(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.urls.append(message["params"]["request"]["url"])
        for entry in self.driver.get_log("browser"):
            self.console.append(entry)

    def close(self):
        self.collect()
        self.driver.quit()


def overview_loaded(page):
    panel = page.find("#overview")
    return panel.get_attribute("data-from") and panel.get_attribute("aria-busy") is None and page.all("#overview-series svg")


def check_overview(page, api):
    page.open("view=overview&range=24h")
    until("the overview", lambda: overview_loaded(page))
    panel = page.find("#overview")
    frm, to = panel.get_attribute("data-from"), panel.get_attribute("data-to")
    interval = panel.get_attribute("data-interval")
    assert interval == "hour", interval
    top = api.get("/v1/stats/top-events", **{"from": frm, "to": to, "limit": 10})["data"]
    rows = [(row.get_attribute("data-event"), int(row.find_element(By.CSS_SELECTOR, "td.num").get_attribute("data-value")))
            for row in page.all("#overview tbody tr[data-event]")]
    assert rows == [(row["event"], row["count"]) for row in top], f"page {rows} != API {top}"
    assert len(rows) >= len(NAMES), rows
    # People read numbers grouped: 1,234 (the page's locale is en-US here).
    for row in page.all("#overview tbody tr[data-event] td.num"):
        assert row.text == f"{int(row.get_attribute('data-value')):,}", row.text
    series = api.get("/v1/stats/timeseries", interval="hour", **{"from": frm, "to": to})["data"]
    total = int(page.find("#overview-total").get_attribute("data-value"))
    assert total == sum(row["count"] for row in series), (total, series)
    bars = {bar.get_attribute("data-bucket"): int(bar.get_attribute("data-value"))
            for bar in page.all("#overview-series rect.bar")}
    assert {k: v for k, v in bars.items() if v} == {row["bucket"]: row["count"] for row in series}, "chart != API"
    people = api.get("/v1/stats/active-users", interval="day", **{"from": frm, "to": to})["data"]
    active = [int(bar.get_attribute("data-value")) for bar in page.all("#overview-active rect.bar")]
    assert active == [row["users"] for row in people], (active, people)
    log(f"overview: {len(rows)} top events, {total:,} events in {len(series)} hours, equal to the API")

    hours = len(bars)
    Select(page.find("#overview-interval")).select_by_value("minute")
    until("interval=minute in the URL", lambda: page.params().get("interval") == ["minute"])
    until("a minute chart", lambda: page.find("#overview-series").get_attribute("data-interval") == "minute"
          and overview_loaded(page))
    minutes = int(page.find("#overview-series").get_attribute("data-buckets"))
    assert minutes >= 1440 and minutes > hours, (minutes, hours)
    Select(page.find("#overview-range")).select_by_value("7d")
    until("range=7d in the URL", lambda: page.params().get("range") == ["7d"] and "interval" not in page.params())
    until("a 7-day chart", lambda: overview_loaded(page)
          and page.find("#overview").get_attribute("data-interval") == "hour"
          and int(page.find("#overview-series").get_attribute("data-buckets")) >= 7 * 24)
    event = Select(page.find("#overview-event"))
    event.select_by_value("Signed Up")
    until("event=Signed Up in the URL", lambda: page.params().get("event") == ["Signed Up"])
    until("the Signed Up series", lambda: overview_loaded(page)
          and page.find("#overview-total").get_attribute("data-value") is not None
          and "Signed Up" in page.text(".total"))
    panel = page.find("#overview")
    signed = api.get("/v1/stats/timeseries", interval="hour", event="Signed Up",
                     **{"from": panel.get_attribute("data-from"), "to": panel.get_attribute("data-to")})["data"]
    assert int(page.find("#overview-total").get_attribute("data-value")) == sum(row["count"] for row in signed)
    page.driver.back()
    until("back: event gone from the URL", lambda: "event" not in page.params() and page.params().get("range") == ["7d"])
    until("back: the select follows", lambda: Select(page.find("#overview-event")).first_selected_option.get_attribute("value") == "")
    page.driver.back()
    until("back again: 24 h by minute", lambda: page.params().get("interval") == ["minute"]
          and page.find("#overview-range").get_attribute("value") == "24h")
    page.driver.forward()
    until("forward: 7 d", lambda: page.params().get("range") == ["7d"])
    log(f"overview: interval and range change the URL and the chart ({hours} → {minutes} bars), back/forward work")

    # A custom range: two days ending an hour ago, typed as local times.
    end = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(second=0, microsecond=0)
    begin = end - timedelta(days=2)
    Select(page.find("#overview-range")).select_by_value("custom")
    until("the custom fields", lambda: page.visible("#overview-from"))
    for field, moment in (("#overview-from", begin), ("#overview-to", end)):
        page.driver.execute_script("arguments[0].value = arguments[1]", page.find(field),
                                   (moment + ZONE_OFFSET).strftime("%Y-%m-%dT%H:%M"))
    page.find(".custom-range button").click()
    until("the custom range in the URL", lambda: page.params().get("range") == ["custom"]
          and page.params().get("from") == [iso(begin)] and page.params().get("to") == [iso(end)])
    until("the custom range read", lambda: overview_loaded(page) and page.find("#overview").get_attribute("data-to") == iso(end))
    custom = api.get("/v1/stats/timeseries", interval="hour", **{"from": iso(begin), "to": iso(end)})["data"]
    assert int(page.find("#overview-total").get_attribute("data-value")) == sum(row["count"] for row in custom)
    log("overview: a custom range in local time reads the same UTC range from the API")


def check_keyboard(page):
    """The views are reached and used with the keyboard alone: Enter on a link, Tab to a field."""
    page.driver.execute_script("arguments[0].focus()", page.find('nav a[data-view="people"]'))
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    until("the people view by keyboard", lambda: page.params().get("view") == ["people"] and page.visible("#people-id"))
    for _ in range(6):
        if page.driver.switch_to.active_element.get_attribute("id") == "people-id":
            break
        ActionChains(page.driver).send_keys(Keys.TAB).perform()
    assert page.driver.switch_to.active_element.get_attribute("id") == "people-id", "Tab does not reach the id field"
    ActionChains(page.driver).send_keys(PERSON, Keys.ENTER).perform()
    until("the person's events, asked for by keyboard", lambda: page.params().get("person") == [PERSON]
          and len(page.all("#people li.event")) == 25)
    log("keyboard: Enter opens a view, Tab reaches its field, Enter submits it")


def check_live(page, api):
    stream = api.session.get(f"{api.query}/v1/events/stream", params={"user_id": LIVE}, stream=True, timeout=5)
    status = stream.status_code
    stream.close()
    page.open(f"view=live&user_id={LIVE}")
    if status == 404:
        until("the page saying the stream is missing", lambda: "404" in page.text("#live .notice"))
        log("live: SKIPPED, GET /v1/events/stream answers 404 on this server (the page says so)")
        return False
    until("the stream open", lambda: page.find("#live .stream-state").get_attribute("data-state") == "open")
    api.batch([{"type": "track", "event": "Live Check", "userId": LIVE, "messageId": f"ex-{RUN}-live"}])
    posted = time.monotonic()
    until("the posted event in the live view", lambda: page.all(f'#live li[data-message-id="ex-{RUN}-live"]'), 2.0)
    log(f"live: the posted event appeared after {time.monotonic() - posted:.2f} s")
    page.find("#live button.toggle").click()
    api.batch([{"type": "track", "event": "Live Held", "userId": LIVE, "messageId": f"ex-{RUN}-held"}])
    until("held back while paused", lambda: "1 new event held back" in page.text("#live .stream-state"), 3)
    assert not page.all(f'#live li[data-message-id="ex-{RUN}-held"]')
    page.find("#live button.toggle").click()
    until("shown on resume", lambda: page.all(f'#live li[data-message-id="ex-{RUN}-held"]'), 2)
    log("live: pause holds events back, resume shows them")
    return True


def check_people(page, api):
    page.open(f"view=people&person={PERSON}")
    until("the first page", lambda: len(page.all("#people li.event")) == 25)
    page.find("#people-older").click()
    until("the older page", lambda: len(page.all("#people li.event")) == PERSON_EVENTS)
    until("no more pages", lambda: not page.find("#people-older").is_displayed())
    shown = [item.get_attribute("data-message-id") for item in page.all("#people li.event")]
    expected = [event["message_id"] for event in api.get("/v1/events", user_id=PERSON, limit=100)["data"]]
    assert shown == expected, "the person's timeline differs from /v1/events"
    shown_time = page.find("#people li.event time")
    stored = datetime.fromisoformat(shown_time.get_attribute("datetime").replace("Z", "+00:00"))
    assert shown_time.get_attribute("title") == stored.strftime("%Y-%m-%d %H:%M:%S UTC"), shown_time.get_attribute("title")
    local = stored + ZONE_OFFSET
    expected = f"{local:%b} {local.day}, {local.year}, {local.hour % 12 or 12}:{local:%M:%S} {local:%p}"
    assert shown_time.text.replace("\u202f", " ") == expected, (shown_time.text, expected)
    log(f"people: {len(shown)} events in two pages, newest first, as /v1/events answers")

    page.open(f"view=people&person={ERASED}")
    until("the person to erase", lambda: len(page.all("#people li.event")) == 3)
    page.find("#people-erase").click()
    until("the confirmation", lambda: page.find("#confirm-dialog").is_displayed())
    assert "3 stored events with user id" in page.find("#confirm-dialog").text, page.find("#confirm-dialog").text
    page.find("#confirm-dialog [data-confirm]").click()
    until("the erased counts", lambda: "3 events" in page.text("#people-notice"))
    assert api.get("/v1/events", user_id=ERASED)["data"] == []
    log(f"people: erasure confirmed in the dialog; the page says '{page.text('#people-notice')}'")


def check_failed(page, api):
    target = failed_id(api)
    page.open("view=failed&reason=missing_event")
    item = until("the failed event", lambda: page.visible(f'#failed li[data-id="{target}"]'))
    assert f"ex-{RUN}-failed" in item.find_element(By.CSS_SELECTOR, "pre").get_attribute("textContent")
    item.find_element(By.CSS_SELECTOR, "button").click()
    until("the replay answer", lambda: "Re-staged 1" in page.text("#failed-notice"))
    ids = [row["id"] for row in api.get("/v1/failed-events", reason="missing_event", limit=1000)["data"]]
    assert target not in ids, "the replayed failed event is still there"
    # The worker refuses it again: it comes back with a new id.
    until("the replayed message failed again", lambda: failed_id(api) not in (None, target))
    log("failed: replay re-staged the event; the worker refused it again under a new id")

    bogus = failed_id(api, "unknown_type", "bogus")
    page.open("view=failed&reason=unknown_type")
    until("the unknown_type event", lambda: page.visible(f'#failed li[data-id="{bogus}"]'))
    page.find("#failed-replay-all").click()
    until("the replay-all confirmation", lambda: page.find("#confirm-dialog").is_displayed())
    assert "unknown_type" in page.find("#confirm-dialog").text
    page.find("#confirm-dialog [data-confirm]").click()
    until("the replay-all answer", lambda: "Re-staged" in page.text("#failed-notice"))
    assert bogus not in [row["id"] for row in api.get("/v1/failed-events", reason="unknown_type", limit=1000)["data"]]
    until("the replayed message failed again", lambda: failed_id(api, "unknown_type", "bogus") not in (None, bogus))
    log(f"failed: replay of every unknown_type event: '{page.text('#failed-notice')}'")


def range_bounds(page):
    """The [from, to) the page asked for, read back from its requests' URLs."""
    page.collect()
    for url in reversed(page.urls):
        query = parse_qs(urlparse(url).query)
        if "/v1/stats/" in url and "from" in query and "to" in query:
            return query["from"][0], query["to"][0]
    raise AssertionError("no stats request with a range")


def check_analysis(page, api):
    """Each analysis view equals its endpoint's answer; an endpoint this server lacks (404) is
    shown as such."""
    views = [
        ("funnel", "/v1/stats/funnel", "range=24h&step=Page+Viewed&step=Signed+Up&within=P1D",
         {"step": ["Page Viewed", "Signed Up"], "within": "P1D"}),
        ("retention", "/v1/stats/retention", "range=7d&cohort=day&periods=4", {"interval": "day", "periods": 4}),
        ("breakdown", "/v1/stats/breakdown", "range=7d&event=Signed+Up&property=plan",
         {"event": "Signed Up", "property": "plan", "limit": 20}),
    ]
    for tab, path, query, params in views:
        page.open(f"view=analysis&tab={tab}&{query}")
        if api.status(path, **params) == 404:
            until(f"the page saying {tab} is missing", lambda: "404" in page.text("#analysis .notice"))
            log(f"analysis: SKIPPED {tab}, GET {path} answers 404 (the page says so)")
            continue
        until(f"the {tab} result", lambda: page.visible("#analysis-result"))
        frm, to = range_bounds(page)
        answer = api.get(path, **params, **{"from": frm, "to": to})["data"]
        if tab == "retention":
            shown = [[cell.get_attribute("data-value") for cell in row.find_elements(By.CSS_SELECTOR, "td.cell")]
                     for row in page.all("#analysis-result tbody tr")]
            expected = [[str(value) for value in row["returned"]] for row in answer]
            assert len(shown) == len(expected), (shown, expected)
            for cells, values in zip(shown, expected):
                # Periods still in the future are left blank: the triangle.
                assert [c for c in cells if c is not None] == values[:len([c for c in cells if c is not None])], (cells, values)
            assert answer, "no cohorts"
        else:
            shown = [int(item.get_attribute("data-value")) for item in page.all("#analysis-result .row-value")]
            expected = [row["people"] if tab == "funnel" else row["count"] for row in answer]
            assert shown == expected and shown, (shown, expected)
        log(f"analysis: {tab} equals {path} ({len(answer)} rows)")


def check_tokens(binary, database_url, folder):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    good = f"read-{RUN}"
    process = start(binary, ["query", "--host", "127.0.0.1", "--port", str(port)],
                    {"DATABASE_URL": database_url, "TRACKER_READ_TOKENS": good}, url)
    page = Page(url)
    try:
        assert requests.get(f"{url}/", timeout=5).status_code == 200, "the page itself needs no token"
        assert requests.get(f"{url}/v1/events", timeout=5).status_code == 401, "/v1 still needs one"
        page.open("view=overview&range=24h")
        until("the token form", lambda: page.find("#token-dialog").is_displayed())
        if folder:
            os.makedirs(folder, exist_ok=True)
            page.driver.save_screenshot(os.path.join(folder, "token-laptop.png"))
        page.find("#token-input").send_keys("wrong-token")
        page.find("#token-dialog button[type=submit]").click()
        until("the wrong token refused", lambda: page.find("#token-dialog").is_displayed()
              and "refused" in page.find("#token-dialog .dialog-message").text)
        page.find("#token-input").send_keys(good)
        page.find("#token-dialog button[type=submit]").click()
        until("the overview with the token", lambda: overview_loaded(page) and not page.find("#token-dialog").is_displayed())
        assert "token" in page.text("#access"), page.text("#access")
        stored = page.driver.execute_script("return sessionStorage.getItem('tracker.token')")
        assert stored == good, stored
        log("tokens: the page asked for a token, refused a wrong one, read with the right one")
    finally:
        page.close()
        process.terminate()
        process.wait(10)
    return page


def screenshots(base, folder, api):
    os.makedirs(folder, exist_ok=True)
    views = [
        ("overview", "view=overview&range=24h", lambda p: overview_loaded(p)),
        ("live", "view=live", lambda p: p.find("#live .stream-state").get_attribute("data-state") in ("open", "missing")
         or p.visible("#live .notice")),
        ("people", f"view=people&person={PERSON}", lambda p: len(p.all("#people li.event")) >= 25),
        ("failed", "view=failed", lambda p: p.all("#failed li.failed-event")),
        ("analysis", "view=analysis&tab=funnel&range=24h&step=Page+Viewed&step=Signed+Up&step=Added+to+Cart&step=Checked+Out",
         lambda p: p.visible("#analysis-result") or p.visible("#analysis .notice")),
        ("retention", "view=analysis&tab=retention&range=7d&cohort=day&periods=8",
         lambda p: p.visible("#analysis-result") or p.visible("#analysis .notice")),
        ("breakdown", "view=analysis&tab=breakdown&range=24h&event=Signed+Up&property=plan",
         lambda p: p.visible("#analysis-result") or p.visible("#analysis .notice")),
    ]
    for width, height, suffix in ((1280, 800, "laptop"), (390, 844, "phone")):
        page = Page(base, width, height)
        try:
            for name, query, ready in views:
                page.open(query)
                until(f"{name} for its screenshot", lambda: ready(page))
                if name == "live":
                    # A few events arriving while the view is open, so the shot shows it at work.
                    api.batch([{"type": "track", "event": NAMES[k % len(NAMES)], "userId": f"user-{RUN}-{k}",
                                "messageId": f"ex-{RUN}-shot-{suffix}-{k}", "properties": {"k": k}} for k in range(6)])
                    if page.find("#live .stream-state").get_attribute("data-state") == "open":
                        until("the events in the live view", lambda: len(page.all("#live li.event")) >= 6, 3)
                page.driver.save_screenshot(os.path.join(folder, f"{name}-{suffix}.png"))
                if name == "people":
                    page.find("#people-erase").click()
                    until("the erasure confirmation", lambda: page.find("#confirm-dialog").is_displayed())
                    page.driver.save_screenshot(os.path.join(folder, f"people-erase-{suffix}.png"))
                    page.find("#confirm-dialog [data-cancel]").click()
        finally:
            page.close()
    log(f"screenshots in {folder}")


def check_hosts(pages):
    urls = [url for page in pages for url in page.urls]
    assert urls, "no request was logged"
    elsewhere = [url for url in urls if urlparse(url).scheme != "data" and urlparse(url).hostname != "127.0.0.1"]
    assert not elsewhere, f"requests left 127.0.0.1: {elsewhere}"
    log(f"network: all {len(urls)} requests went to 127.0.0.1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--collector")
    parser.add_argument("--query")
    parser.add_argument("--write-key")
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    if not args.collector:
        ports = [free_port() for _ in range(3)]
        args.collector, args.query = (f"http://127.0.0.1:{port}" for port in ports[:2])
        subprocess.run([args.binary, "migrate"], env={**os.environ, "DATABASE_URL": args.database_url,
                                                      "LOG_LEVEL": "warning"}, check=True)
        start(args.binary, ["all", "--host", "127.0.0.1", "--collector-port", str(ports[0]),
                            "--query-port", str(ports[1]), "--worker-port", str(ports[2])],
              {"DATABASE_URL": args.database_url}, args.query)
    api = API(args.collector, args.query, args.write_key)
    seed(api)
    log(f"seeded run {RUN}")
    page = Page(args.query)
    pages = [page]
    try:
        check_overview(page, api)
        assert "Open API" in page.text("#access"), page.text("#access")
        check_keyboard(page)
        live = check_live(page, api)
        check_people(page, api)
        check_failed(page, api)
        check_analysis(page, api)
    finally:
        page.close()
    pages.append(check_tokens(args.binary, args.database_url, args.screenshots))
    check_hosts(pages)
    errors = [entry for entry in page.console if entry["level"] == "SEVERE" and "401" not in entry["message"]
              and "404" not in entry["message"]]
    assert not errors, f"the page logged errors: {errors}"
    if args.screenshots:
        screenshots(args.query, args.screenshots, api)
    log("explorer: every check passed" + ("" if live else " (live tail skipped: no stream endpoint yet)"))


if __name__ == "__main__":
    try:
        main()
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
