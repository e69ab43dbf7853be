// Analysis: funnels (people through steps, with conversion), retention (cohorts by first event and
// how many came back), and a breakdown of one event by a property's values.
import * as api from "./api.js";
import { rowBars } from "./chart.js";
import { say } from "./dialogs.js";
import { count, countElement, element, label, ratio, utc } from "./format.js";
import { rangePicker } from "./ranges.js";

const tabs = [["funnel", "Funnel"], ["retention", "Retention"], ["breakdown", "Breakdown"]];
const windows = [["PT1H", "1 hour"], ["P1D", "1 day"], ["P7D", "7 days"], ["P30D", "30 days"]];
const day = 86_400_000;

/** A label and its control, kept together when the form wraps. */
function field(id, text, node) {
  const label = element("label", null, text);
  label.htmlFor = id;
  node.id = id;
  const pair = element("span", "field");
  pair.append(label, node);
  return [pair];
}

function choice(options) {
  const node = element("select");
  for (const [value, text] of options) {
    const option = element("option", null, text);
    option.value = value;
    node.append(option);
  }
  return node;
}

function textInput(list) {
  const input = element("input");
  input.type = "text";
  input.autocomplete = "off";
  if (list) input.setAttribute("list", list);
  return input;
}

/** What a view says when the server lacks its endpoint or refuses the question. */
function problem(error, path) {
  if (error.status === 404) return `This server does not offer ${path} yet (it answered 404 not found).`;
  return error.message;
}

export const analysis = {
  mount(panel, { navigate }) {
    this.navigate = navigate;
    const bar = element("div", "toolbar");
    this.range = rangePicker("analysis", navigate);
    const switcher = element("div", "tabs");
    switcher.setAttribute("role", "group");
    switcher.setAttribute("aria-label", "Analysis");
    this.tabButtons = {};
    for (const [key, text] of tabs) {
      const button = element("button", "tab", text);
      button.type = "button";
      button.id = `analysis-tab-${key}`;
      button.addEventListener("click", () => navigate({ tab: key }));
      this.tabButtons[key] = button;
      switcher.append(button);
    }
    bar.append(switcher, this.range.element);
    this.names = element("datalist");
    this.names.id = "analysis-events";
    this.notice = element("p", "notice");
    this.notice.hidden = true;
    this.forms = { funnel: this.funnelForm(), retention: this.retentionForm(), breakdown: this.breakdownForm() };
    this.result = element("div", "card analysis-result");
    this.result.id = "analysis-result";
    panel.append(bar, this.names, ...Object.values(this.forms), this.notice, this.result);
  },

  funnelForm() {
    const form = element("form", "toolbar filters funnel-form");
    form.setAttribute("aria-label", "Funnel steps");
    this.stepList = element("ol", "steps");
    const add = element("button", null, "Add a step");
    add.type = "button";
    add.addEventListener("click", () => {
      if (this.stepList.children.length < 10) this.addStep("").querySelector("input").focus();
    });
    this.within = choice(windows);
    const run = element("button", "primary", "Show funnel");
    run.type = "submit";
    form.append(this.stepList, add, ...field("analysis-within", "Within", this.within), run);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const steps = [...this.stepList.querySelectorAll("input")].map((input) => input.value.trim()).filter(Boolean);
      if (steps.length < 2) {
        say(this.notice, "A funnel needs at least two steps.", "error");
        return;
      }
      this.navigate({ tab: "funnel", step: steps, within: this.within.value });
    });
    return form;
  },

  addStep(value) {
    const index = this.stepList.children.length + 1;
    const item = element("li");
    const input = textInput("analysis-events");
    input.value = value;
    input.name = "step";
    const remove = element("button", "link", "Remove");
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove step ${index}`);
    remove.addEventListener("click", () => {
      if (this.stepList.children.length > 2) item.remove();
    });
    item.append(...field(`analysis-step-${index}-${Date.now()}`, `Step ${index}`, input), remove);
    this.stepList.append(item);
    return item;
  },

  retentionForm() {
    const form = element("form", "toolbar filters");
    form.setAttribute("aria-label", "Retention");
    this.retentionInterval = choice([["day", "Day"], ["week", "Week"]]);
    this.periods = element("input");
    this.periods.type = "number";
    this.periods.min = "1";
    this.periods.max = "30";
    const run = element("button", "primary", "Show retention");
    run.type = "submit";
    form.append(
      ...field("analysis-cohort", "Cohorts per", this.retentionInterval),
      ...field("analysis-periods", "Periods", this.periods),
      run,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.navigate({ tab: "retention", cohort: this.retentionInterval.value, periods: this.periods.value });
    });
    return form;
  },

  breakdownForm() {
    const form = element("form", "toolbar filters");
    form.setAttribute("aria-label", "Breakdown");
    this.breakdownEvent = textInput("analysis-events");
    this.property = textInput();
    this.property.placeholder = "plan";
    const run = element("button", "primary", "Show breakdown");
    run.type = "submit";
    form.append(
      ...field("analysis-event", "Event", this.breakdownEvent),
      ...field("analysis-property", "Property", this.property),
      run,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.navigate({ tab: "breakdown", event: this.breakdownEvent.value.trim(), property: this.property.value.trim() });
    });
    return form;
  },

  async show(params, signal) {
    const range = this.range.sync(params);
    const tab = tabs.some(([key]) => key === params.get("tab")) ? params.get("tab") : "funnel";
    for (const [key, button] of Object.entries(this.tabButtons)) button.setAttribute("aria-pressed", String(key === tab));
    for (const [key, form] of Object.entries(this.forms)) form.hidden = key !== tab;
    say(this.notice, "");
    this.result.replaceChildren();
    this.result.hidden = true;
    const from = range.from.toISOString();
    const to = range.to.toISOString();
    api.get("/v1/stats/top-events", { from, to, limit: 100 }, signal).then(
      (answer) => {
        this.names.replaceChildren(...answer.data.map((row) => Object.assign(element("option"), { value: row.event })));
      },
      () => {},
    );
    try {
      if (tab === "funnel") await this.funnel(params, from, to, signal);
      else if (tab === "retention") await this.retention(params, range, signal);
      else await this.breakdown(params, from, to, signal);
    } catch (error) {
      if (signal.aborted) return;
      const paths = { funnel: "/v1/stats/funnel", retention: "/v1/stats/retention", breakdown: "/v1/stats/breakdown" };
      say(this.notice, problem(error, paths[tab]), "error");
    }
  },

  async funnel(params, from, to, signal) {
    const steps = params.getAll("step");
    this.stepList.replaceChildren();
    for (const step of steps.length >= 2 ? steps : [steps[0] || "", ""]) this.addStep(step);
    this.within.value = params.get("within") || "P1D";
    if (steps.length < 2) {
      say(this.notice, "Name two to ten events, in order, to see how many people go through them.");
      return;
    }
    const answer = await api.get("/v1/stats/funnel", { step: steps, within: this.within.value, from, to }, signal);
    if (signal.aborted) return;
    const rows = answer.data.map((row, index) => ({
      label: `${row.step ?? index + 1}. ${row.event}`,
      value: row.people,
      note: ratio(row.conversion),
    }));
    const last = answer.data[answer.data.length - 1];
    this.result.replaceChildren(
      element("h2", null, "Funnel"),
      element(
        "p",
        "card-note",
        last ? `${ratio(last.conversion)} of ${count(answer.data[0].people)} people went through every step.` : "",
      ),
      rowBars(rows, { title: "People at each step, with conversion from the first" }),
    );
    this.result.hidden = false;
  },

  async retention(params, range, signal) {
    const interval = params.get("cohort") === "week" ? "week" : "day";
    const periods = Math.min(30, Math.max(1, Number(params.get("periods")) || 8));
    this.retentionInterval.value = interval;
    this.periods.value = String(periods);
    const answer = await api.get(
      "/v1/stats/retention",
      { interval, periods, from: range.from.toISOString(), to: range.to.toISOString() },
      signal,
    );
    if (signal.aborted) return;
    const step = interval === "week" ? 7 * day : day;
    const table = element("table", "data retention");
    // Said above the table, not in a caption, which a table wider than a phone would cut off.
    const about = `People by the ${interval} of their first event, and who came back`;
    table.setAttribute("aria-label", about);
    const head = element("tr");
    for (const text of ["Cohort", "People", ...Array.from({ length: periods }, (_, k) => `${interval} ${k}`)]) {
      const cell = element("th", text === "Cohort" ? null : "num", text);
      cell.scope = "col";
      head.append(cell);
    }
    const body = element("tbody");
    for (const row of answer.data) {
      const line = element("tr");
      const start = new Date(row.cohort);
      const name = element("th", null, label(start, interval));
      name.scope = "row";
      name.title = utc(start);
      line.append(name, countElement("td", row.people));
      for (let k = 0; k < periods; k += 1) {
        const cell = element("td", "num cell");
        if (start.getTime() + k * step <= Date.now() && row.returned[k] !== undefined) {
          const share = row.people ? row.returned[k] / row.people : 0;
          cell.textContent = ratio(share);
          cell.title = `${count(row.returned[k])} of ${count(row.people)} people`;
          cell.dataset.value = String(row.returned[k]);
          cell.style.setProperty("--share", share.toFixed(3));
          cell.classList.add("shaded");
        }
        line.append(cell);
      }
      body.append(line);
    }
    const thead = element("thead");
    thead.append(head);
    table.append(thead, body);
    const wrap = element("div", "table-wrap");
    wrap.append(table);
    this.result.replaceChildren(element("h2", null, "Retention"), element("p", "card-note", about), wrap);
    if (!answer.data.length) this.result.append(element("p", "empty", "No cohorts in this range."));
    this.result.hidden = false;
  },

  async breakdown(params, from, to, signal) {
    const event = params.get("event") || "";
    const property = params.get("property") || "";
    this.breakdownEvent.value = event;
    this.property.value = property;
    if (!event || !property) {
      say(this.notice, "Name an event and one of its properties to count the event by that property's values.");
      return;
    }
    const answer = await api.get("/v1/stats/breakdown", { event, property, from, to, limit: 20 }, signal);
    if (signal.aborted) return;
    const rows = answer.data.map((row) => ({
      label: row.value === null ? "(not set)" : typeof row.value === "string" ? row.value : JSON.stringify(row.value),
      value: row.count,
    }));
    this.result.replaceChildren(
      element("h2", null, `${event} by ${property}`),
      rows.length ? rowBars(rows, { title: `${event} events by ${property}` }) : element("p", "empty", "No such events in this range."),
    );
    this.result.hidden = false;
  },
};
