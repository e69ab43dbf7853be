// The time range of the overview and the analysis: a relative one (last hour … 30 days), whose end
// is the end of the current minute so the minute being filled is counted, or a custom one.
import { element } from "./format.js";

const minute = 60_000;
export const spans = { "1h": 3600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };
const names = { "1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", custom: "Custom" };

/** {from, to} Dates of the range the URL names (24 hours by default). */
export function rangeOf(params) {
  const range = params.get("range") || "24h";
  if (range === "custom") {
    const from = new Date(params.get("from") || "");
    const to = new Date(params.get("to") || "");
    if (!isNaN(from) && !isNaN(to) && from < to) return { range, from, to };
  }
  const span = spans[range] || spans["24h"];
  const to = new Date(Math.ceil((Date.now() + 1) / minute) * minute);
  return { range: spans[range] ? range : "24h", from: new Date(to - span), to };
}

/** The bucket that suits a range when the URL names none. */
export function defaultInterval({ from, to }) {
  const span = to - from;
  if (span <= spans["1h"]) return "minute";
  if (span <= spans["7d"]) return "hour";
  return "day";
}

/** What `datetime-local` shows: the local time, to the minute. */
function localInput(date) {
  const shifted = new Date(date - date.getTimezoneOffset() * minute);
  return shifted.toISOString().slice(0, 16);
}

/** The range picker: a select, and two local-time fields for a custom range. */
export function rangePicker(prefix, navigate) {
  const box = element("fieldset", "range-picker");
  box.append(element("legend", "visually-hidden", "Time range"));
  const selectLabel = element("label", null, "Range");
  selectLabel.htmlFor = `${prefix}-range`;
  const select = element("select");
  select.id = `${prefix}-range`;
  select.name = "range";
  for (const [value, name] of Object.entries(names)) {
    const option = element("option", null, name);
    option.value = value;
    select.append(option);
  }
  const custom = element("span", "custom-range");
  const fields = {};
  for (const key of ["from", "to"]) {
    const label = element("label", null, key === "from" ? "From" : "To");
    const input = element("input");
    input.type = "datetime-local";
    input.id = `${prefix}-${key}`;
    label.htmlFor = input.id;
    fields[key] = input;
    custom.append(label, input);
  }
  const apply = element("button", null, "Apply");
  apply.type = "button";
  custom.append(apply);
  box.append(selectLabel, select, custom);

  select.addEventListener("change", () => {
    if (select.value !== "custom") {
      navigate({ range: select.value, from: null, to: null, interval: null });
      return;
    }
    custom.hidden = false;
    fields.from.focus();
  });
  apply.addEventListener("click", () => {
    const from = new Date(fields.from.value);
    const to = new Date(fields.to.value);
    if (isNaN(from) || isNaN(to) || from >= to) {
      fields.to.setCustomValidity("The end must be after the start.");
      fields.to.reportValidity();
      return;
    }
    fields.to.setCustomValidity("");
    navigate({ range: "custom", from: from.toISOString(), to: to.toISOString(), interval: null });
  });

  return {
    element: box,
    sync(params) {
      const current = rangeOf(params);
      select.value = params.get("range") === "custom" ? "custom" : current.range;
      custom.hidden = select.value !== "custom";
      fields.from.value = localInput(current.from);
      fields.to.value = localInput(current.to);
      return current;
    },
  };
}
