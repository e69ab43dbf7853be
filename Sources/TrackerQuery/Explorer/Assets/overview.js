// Overview: the most frequent events, events over time (one event or all), active people.
import * as api from "./api.js";
import { dataTable, timeBars } from "./chart.js";
import { say } from "./dialogs.js";
import { count, countElement, element, ratio, timeElement } from "./format.js";
import { defaultInterval, rangePicker } from "./ranges.js";

const steps = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const refreshSeconds = 30;

/** Every bucket start of `interval` in [from, to), UTC, so quiet buckets show as empty bars. */
function buckets(from, to, interval) {
  const step = steps[interval];
  const times = [];
  for (let time = Math.floor(from / step) * step; time < to && times.length < 20_000; time += step) times.push(time);
  return times;
}

function select(id, labelText, options) {
  const label = element("label", null, labelText);
  label.htmlFor = id;
  const node = element("select");
  node.id = id;
  for (const [value, text] of options) {
    const option = element("option", null, text);
    option.value = value;
    node.append(option);
  }
  return { label, node };
}

function card(title, id) {
  const box = element("section", "card");
  box.setAttribute("aria-labelledby", id);
  const heading = element("h2", null, title);
  heading.id = id;
  box.append(heading);
  return box;
}

export const overview = {
  mount(panel, { navigate }) {
    this.panel = panel;
    const bar = element("div", "toolbar");
    this.range = rangePicker("overview", navigate);
    const interval = select("overview-interval", "Interval", [["minute", "Minute"], ["hour", "Hour"], ["day", "Day"]]);
    const event = select("overview-event", "Event", [["", "All events"]]);
    interval.node.addEventListener("change", () => navigate({ interval: interval.node.value }));
    event.node.addEventListener("change", () => navigate({ event: event.node.value || null }));
    const pickers = element("div", "pickers");
    pickers.append(interval.label, interval.node, event.label, event.node);
    bar.append(this.range.element, pickers);
    this.interval = interval.node;
    this.event = event.node;

    this.notice = element("p", "notice");
    this.notice.hidden = true;

    const totals = element("div", "totals");
    this.total = element("p", "total");
    this.totalLabel = element("span", "total-label", "Events in range");
    this.total.append(this.totalLabel);
    this.asOf = element("p", "card-note as-of");
    totals.append(this.total, this.asOf);

    const top = card("Top events", "overview-top-title");
    this.topBody = element("tbody");
    const table = element("table", "data top-events");
    const head = element("thead");
    const headRow = element("tr");
    for (const [text, className] of [["Event", null], ["Count", "num"], ["Share", "share"]]) {
      const cell = element("th", className, text);
      cell.scope = "col";
      headRow.append(cell);
    }
    head.append(headRow);
    table.append(head, this.topBody);
    const wrap = element("div", "table-wrap");
    wrap.append(table);
    top.append(wrap);

    const series = card("Events over time", "overview-series-title");
    this.seriesNote = element("p", "card-note");
    this.series = element("div", "chart-box");
    this.series.id = "overview-series";
    series.append(this.seriesNote, this.series);

    const active = card("Active people", "overview-people-title");
    const per = select("overview-people", "Per", [["day", "Day"], ["week", "Week"], ["month", "Month"]]);
    per.node.addEventListener("change", () => navigate({ people: per.node.value }));
    this.per = per.node;
    const perBox = element("div", "pickers");
    perBox.append(per.label, per.node);
    this.active = element("div", "chart-box");
    this.active.id = "overview-active";
    this.activeNote = element("p", "card-note");
    active.append(perBox, this.activeNote, this.active);

    const grid = element("div", "grid");
    grid.append(series, top, active);
    panel.append(bar, this.notice, totals, grid);
  },

  async show(params, signal) {
    const range = this.range.sync(params);
    const interval = params.get("interval") || defaultInterval(range);
    const eventName = params.get("event") || "";
    const per = params.get("people") || "day";
    this.interval.value = interval;
    // The API answers minutes for at most 7 days.
    this.interval.querySelector('option[value="minute"]').disabled = range.to - range.from > 7 * 86_400_000;
    this.per.value = per;
    const from = range.from.toISOString();
    const to = range.to.toISOString();
    this.panel.dataset.from = from;
    this.panel.dataset.to = to;
    this.panel.dataset.interval = interval;
    this.panel.setAttribute("aria-busy", "true");
    say(this.notice, "");
    try {
      // The hundred most frequent names fill the event picker; the first ten are the table.
      const [names, series, active] = await Promise.all([
        api.get("/v1/stats/top-events", { from, to, limit: 100 }, signal),
        api.get("/v1/stats/timeseries", { interval, from, to, event: eventName }, signal),
        api.get("/v1/stats/active-users", { interval: per, from, to }, signal),
      ]);
      if (signal.aborted) return;
      this.showEvents(names.data, eventName);
      this.showTop(names.data.slice(0, 10));
      this.drawn = () => {
        this.showSeries(series.data, range, interval, eventName);
        this.showActive(active.data, per);
      };
      this.drawn();
      this.asOf.replaceChildren("As of ", timeElement(series.as_of));
      if (range.range !== "custom") {
        // A relative range moves with the clock: read again, so new events show up by themselves.
        this.asOf.append(` · updated every ${refreshSeconds} seconds`);
        const timer = setTimeout(() => this.show(params, signal), refreshSeconds * 1000);
        signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
      }
    } catch (error) {
      if (signal.aborted) return;
      say(this.notice, error.message, "error");
    } finally {
      if (!signal.aborted) this.panel.removeAttribute("aria-busy");
    }
  },

  redraw() {
    this.drawn?.();
  },

  showEvents(rows, chosen) {
    const names = rows.map((row) => row.event);
    if (chosen && !names.includes(chosen)) names.unshift(chosen);
    const options = [["", "All events"], ...names.map((name) => [name, name])].map(([value, text]) => {
      const option = element("option", null, text);
      option.value = value;
      return option;
    });
    this.event.replaceChildren(...options);
    this.event.value = chosen;
  },

  showTop(rows) {
    const sum = rows.reduce((total, row) => total + row.count, 0);
    const max = Math.max(1, ...rows.map((row) => row.count));
    const body = rows.map((row) => {
      const line = element("tr");
      line.dataset.event = row.event;
      const name = element("th");
      name.scope = "row";
      const link = element("a", null, row.event);
      const search = new URLSearchParams(location.search);
      search.set("event", row.event);
      link.href = `?${search}`;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        this.event.value = row.event;
        this.event.dispatchEvent(new Event("change"));
      });
      name.append(link);
      const share = element("td", "share");
      const track = element("span", "row-track");
      const fill = element("span", "row-fill");
      fill.style.width = `${(row.count / max) * 100}%`;
      track.append(fill);
      share.append(track, element("span", "share-text", ratio(sum ? row.count / sum : 0)));
      line.append(name, countElement("td", row.count), share);
      return line;
    });
    if (!body.length) {
      const empty = element("tr");
      const cell = element("td", "empty", "No named events in this range.");
      cell.colSpan = 3;
      empty.append(cell);
      body.push(empty);
    }
    this.topBody.replaceChildren(...body);
  },

  showSeries(rows, range, interval, eventName) {
    const byTime = new Map(rows.map((row) => [new Date(row.bucket).getTime(), row.count]));
    const points = buckets(range.from.getTime(), range.to.getTime(), interval).map((time) => ({
      time: new Date(time),
      value: byTime.get(time) || 0,
    }));
    // A bucket the API answered always shows, even one the range's edges leave out.
    for (const [time, value] of byTime) {
      if (!points.some((point) => point.time.getTime() === time)) points.push({ time: new Date(time), value });
    }
    points.sort((a, b) => a.time - b.time);
    const total = rows.reduce((sum, row) => sum + row.count, 0);
    this.total.replaceChildren(this.totalLabel, countElement("span", total));
    this.total.querySelector(".num").id = "overview-total";
    this.totalLabel.textContent = eventName ? `“${eventName}” events in range` : "Events in range";
    this.seriesNote.textContent = `${eventName || "All events"} per ${interval} · ${count(total)} in total`;
    this.series.dataset.interval = interval;
    this.series.dataset.buckets = String(points.length);
    this.series.replaceChildren(
      timeBars(points, {
        unit: interval,
        title: `${eventName || "All events"} per ${interval}`,
        valueName: "events",
        width: this.series.clientWidth,
      }),
      dataTable(points, { unit: interval, valueName: "events" }),
    );
  },

  showActive(rows, per) {
    const points = rows.map((row) => ({ time: new Date(row.bucket), value: row.users }));
    const latest = rows.length ? rows[rows.length - 1].users : 0;
    this.activeNote.textContent = `Distinct people per ${per} · ${count(latest)} in the latest ${per}`;
    this.active.replaceChildren(
      timeBars(points, {
        unit: per,
        title: `Active people per ${per}`,
        valueName: "people",
        width: this.active.clientWidth,
      }),
      dataTable(points, { unit: per, valueName: "people" }),
    );
  },
};
